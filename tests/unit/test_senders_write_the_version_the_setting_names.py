"""During a rollout, ``SAGA_EMIT_VERSIONS`` makes senders write an older version of a type:
the envelope carries that version and the payload the older shape (downcast, step by step),
which a receiver still at that version reads as its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from messaging import replies, versions
from messaging.codec import Message, decode
from messaging.contracts import Envelope
from tests.versioned_messages import (
    ParcelWeighedV1,
    ParcelWeighedV2,
    ParcelWeighedV3,
    Weight,
    cataloged,
)

V3 = ParcelWeighedV3(parcel_id="p-1", weight=Weight(grams=1200, scale="floor"))


def written(emit: dict[str, int]) -> Envelope:
    return Envelope.wrap(V3, saga_id="saga-1", correlation_id="corr-1", emit=emit)


def test_an_envelope_written_under_the_setting_carries_the_older_version_and_shape() -> None:
    envelope = written({"ParcelWeighed": 2})

    assert envelope.schema_version == 2
    assert envelope.payload == {"parcel_id": "p-1", "weight_grams": 1200, "scale": "floor"}


def test_downcasters_chain_down_to_the_version_named() -> None:
    envelope = written({"ParcelWeighed": 1})

    assert (envelope.schema_version, envelope.payload) == (1, {"parcel_id": "p-1", "grams": 1200})
    with cataloged(ParcelWeighedV1):  # a receiver not upgraded yet
        assert decode(envelope.to_json_dict()).payload == ParcelWeighedV1(
            parcel_id="p-1", grams=1200
        )


def test_other_types_are_written_at_their_own_version() -> None:
    envelope = written({"OrderConfirmed": 1})

    assert envelope.schema_version == 3
    assert envelope.payload == V3.model_dump(mode="json")


@pytest.fixture
def emitting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's setting: version-3 code, ParcelWeighed written at 2."""
    monkeypatch.setenv(versions.VARIABLE, "ParcelWeighed=2")
    with cataloged(ParcelWeighedV3):
        versions.emitted.cache_clear()
        yield
    versions.emitted.cache_clear()


def test_a_participants_reply_follows_the_setting(emitting: None) -> None:
    command = Envelope.wrap(V3, saga_id="saga-1", correlation_id="corr-1")
    received = Message(envelope=command, payload=V3)

    reply = replies.reply_to(received, V3)

    assert reply.envelope.schema_version == 2
    with cataloged(ParcelWeighedV2):
        assert decode(reply.envelope.to_json_dict()).payload == ParcelWeighedV2(
            parcel_id="p-1", weight_grams=1200, scale="floor"
        )
