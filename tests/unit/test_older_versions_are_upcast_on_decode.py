"""A receiver reads its own version of a type and every older one its upcasters reach: the
payload is lifted step by step (1 -> 2 -> 3), validated against the receiver's class, and
the message still says which version arrived. An older version with no upcaster path is
refused, naming the versions this receiver reads."""

from __future__ import annotations

from typing import Any

import pytest

from messaging.codec import MalformedMessage, decode
from messaging.contracts import Envelope, Payload
from tests.versioned_messages import (
    ParcelWeighedV1,
    ParcelWeighedV2,
    ParcelWeighedV3,
    ParcelWeighedV3FromTwo,
    Weight,
    cataloged,
)

V1 = ParcelWeighedV1(parcel_id="p-1", grams=1200)
V2 = ParcelWeighedV2(parcel_id="p-1", weight_grams=1200, scale="unknown")
V3 = ParcelWeighedV3(parcel_id="p-1", weight=Weight(grams=1200, scale="unknown"))


def sent(payload: Payload) -> dict[str, Any]:
    """What a sender running ``payload``'s class writes."""
    return Envelope.wrap(payload, saga_id="saga-1", correlation_id="corr-1").to_json_dict()


def test_a_version_1_message_is_read_as_version_2() -> None:
    with cataloged(ParcelWeighedV2):
        message = decode(sent(V1))

    assert message.payload == V2
    assert type(message.payload) is ParcelWeighedV2
    assert (message.arrived_version, message.upcast) == (1, True)
    assert message.envelope.payload == {"parcel_id": "p-1", "grams": 1200}  # as it arrived


@pytest.mark.parametrize("older", [V1, V2], ids=["from-1", "from-2"])
def test_upcasters_chain_up_to_the_readers_version(older: Payload) -> None:
    with cataloged(ParcelWeighedV3):
        message = decode(sent(older))

    assert message.payload == V3
    assert message.arrived_version == older.schema_version


def test_the_readers_own_version_is_read_as_it_is() -> None:
    with cataloged(ParcelWeighedV3):
        message = decode(sent(V3))

    assert message.payload == V3
    assert (message.arrived_version, message.upcast) == (3, False)


def test_an_older_version_without_an_upcaster_path_names_the_versions_read() -> None:
    with cataloged(ParcelWeighedV3FromTwo), pytest.raises(MalformedMessage) as refused:
        decode(sent(V1))

    assert str(refused.value) == (
        "ParcelWeighed schema version 1 is not supported (this service reads versions 2, 3)"
    )


def test_an_upcast_payload_that_does_not_validate_says_it_was_upcast() -> None:
    raw = sent(V1)
    raw["payload"]["grams"] = "heavy"

    with cataloged(ParcelWeighedV2), pytest.raises(MalformedMessage) as refused:
        decode(raw)

    assert str(refused.value).startswith(
        "invalid ParcelWeighed payload (upcast from version 1): payload.weight_grams: "
    )


def test_an_upcaster_that_fails_on_the_payload_is_refused_not_raised() -> None:
    raw = sent(V1)
    del raw["payload"]["grams"]  # one_to_two reads it

    with cataloged(ParcelWeighedV2), pytest.raises(MalformedMessage) as refused:
        decode(raw)

    assert str(refused.value) == (
        "ParcelWeighed schema version 1 cannot be upcast to 2: KeyError('grams')"
    )
