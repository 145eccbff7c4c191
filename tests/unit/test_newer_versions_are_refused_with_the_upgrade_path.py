"""An envelope newer than the receiver reads is refused (and so parked by the consumer)
with a reason that says what to do: upgrade the service, then replay its dead letters."""

from __future__ import annotations

import pytest

from messaging.codec import MalformedMessage, decode
from messaging.contracts import Envelope
from tests.versioned_messages import ParcelWeighedV2, ParcelWeighedV3, Weight, cataloged

V3 = ParcelWeighedV3(parcel_id="p-1", weight=Weight(grams=1200, scale="floor"))
RAW = Envelope.wrap(V3, saga_id="saga-1", correlation_id="corr-1").to_json_dict()


def test_the_reason_names_both_versions_and_the_replay_command() -> None:
    with cataloged(ParcelWeighedV2), pytest.raises(MalformedMessage) as refused:
        decode(RAW, "shipping")

    assert str(refused.value) == (
        "ParcelWeighed schema version 3 is newer than this service reads (2): upgrade this "
        "service, then replay its dead letters (sagactl dlq replay --all --service shipping)"
    )


def test_without_a_service_name_the_command_has_a_placeholder() -> None:
    with cataloged(ParcelWeighedV2), pytest.raises(MalformedMessage) as refused:
        decode(RAW)

    assert str(refused.value).endswith("(sagactl dlq replay --all --service SERVICE)")


def test_a_real_type_one_version_ahead_is_newer_too() -> None:
    from tests.unit.test_message_codec import wrapped

    with pytest.raises(MalformedMessage, match=r"^ReserveInventory schema version 3 is newer"):
        decode({**wrapped(), "schema_version": 3})
