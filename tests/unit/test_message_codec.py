"""The envelope and the codec: a message wrapped and decoded round-trips, and anything else
is refused with a MalformedMessage that says why (named cases, then arbitrary input)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.codec import MAX_MESSAGE_BYTES, MalformedMessage, Message, decode
from messaging.contracts import Envelope, Payload, catalog
from messaging.contracts.inventory import ReserveInventory, StockLine
from messaging.contracts.payment import PaymentCharged, RefundPayment

MESSAGE_TYPES = catalog().types
ALL_PAYLOADS = tuple(MESSAGE_TYPES.values())

RESERVE = ReserveInventory(
    order_id="ord-1",
    items=[StockLine(sku="SKU-1", quantity=2), StockLine(sku="SKU-2", quantity=1)],
)


def wrapped(payload: Payload = RESERVE) -> dict[str, Any]:
    envelope = Envelope.wrap(
        payload,
        saga_id="saga-1",
        correlation_id="corr-1",
        causation_id="cause-1",
        reply_to="orchestrator",
        message_id="msg-1",
    )
    return envelope.to_json_dict()


def refusal(raw: Any) -> str:
    with pytest.raises(MalformedMessage) as exc_info:
        decode(raw)
    return str(exc_info.value)


def test_wrap_fills_type_and_version_from_the_payload():
    envelope = Envelope.wrap(RESERVE, saga_id=None, correlation_id="corr-1")

    assert envelope.type == "ReserveInventory"
    assert envelope.schema_version == 2
    assert envelope.causation_id is None
    assert len(envelope.message_id) == 36  # a uuid4 by default
    assert envelope.occurred_at.tzinfo is not None
    assert envelope.payload == {
        "order_id": "ord-1",
        "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1}],
        "allow_partial": False,
    }


@pytest.mark.parametrize("form", ["dict", "str", "bytes"])
def test_wrap_and_decode_round_trip(form):
    envelope = Envelope.wrap(
        RESERVE, saga_id="saga-1", correlation_id="corr-1", causation_id="cause-1"
    )
    text = json.dumps(envelope.to_json_dict())
    raw = {"dict": envelope.to_json_dict(), "str": text, "bytes": text.encode()}[form]

    message = decode(raw)

    assert isinstance(message, Message)
    assert message.envelope == envelope
    assert message.payload == RESERVE
    assert type(message.payload) is ReserveInventory
    assert message.type == "ReserveInventory"


def test_reply_round_trip_keeps_causation():
    charged = PaymentCharged(
        order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"
    )

    message = decode(json.dumps(wrapped(charged)))

    assert message.payload == charged
    assert message.envelope.causation_id == "cause-1"
    assert message.envelope.saga_id == "saga-1"
    assert message.envelope.message_id == "msg-1"


def test_a_refund_of_everything_travels_without_the_refund_options():
    """The checkout's compensation: the payload a payment worker older than the options
    reads, unchanged."""
    raw = wrapped(RefundPayment(order_id="ord-1", payment_id="pay-1"))

    assert raw["payload"] == {"order_id": "ord-1", "payment_id": "pay-1"}
    assert decode(raw).payload == RefundPayment(order_id="ord-1", payment_id="pay-1")


def test_a_partial_refund_round_trips_with_its_amount_and_reference():
    partial = RefundPayment(order_id="ord-1", payment_id="pay-1", amount_cents=0, reference="R-1")
    raw = wrapped(partial)

    assert raw["payload"] == {
        "order_id": "ord-1",
        "payment_id": "pay-1",
        "amount_cents": 0,
        "reference": "R-1",
    }
    assert decode(raw).payload == partial


def test_a_negative_refund_amount_is_refused():
    raw = wrapped(RefundPayment(order_id="ord-1", payment_id="pay-1", amount_cents=1))
    raw["payload"]["amount_cents"] = -1

    assert refusal(raw) == (
        "invalid RefundPayment payload: payload.amount_cents: "
        "Input should be greater than or equal to 0"
    )


def test_non_json_string_is_refused():
    assert refusal("{not json").startswith("message is not JSON: ")


def test_invalid_utf8_bytes_are_refused():
    assert refusal(b"\xff\xfe{").startswith("message is not JSON: ")


def test_a_list_is_refused():
    assert refusal([wrapped()]) == "message must be a JSON object, got list"
    assert refusal("[1, 2]") == "message must be a JSON object, got list"


def test_missing_envelope_fields_are_named():
    raw = wrapped()
    del raw["message_id"]
    del raw["occurred_at"]

    assert refusal(raw) == (
        "invalid envelope: message_id: Field required; occurred_at: Field required"
    )


def test_unknown_type_is_refused():
    raw = {**wrapped(), "type": "ReserveUnicorns"}

    assert refusal(raw) == "unknown message type 'ReserveUnicorns'"


def test_wrong_schema_version_is_refused():
    raw = {**wrapped(), "schema_version": 3}

    assert refusal(raw) == (
        "ReserveInventory schema version 3 is newer than this service reads (2): upgrade "
        "this service, then replay its dead letters (sagactl dlq replay --all --service SERVICE)"
    )


def test_payload_schema_violation_names_the_field():
    raw = wrapped()
    raw["payload"]["items"][0]["quantity"] = 0

    message = refusal(raw)

    assert message.startswith("invalid ReserveInventory payload: ")
    assert "payload.items.0.quantity: Input should be greater than 0" in message


def test_payload_missing_field_is_named():
    raw = wrapped()
    del raw["payload"]["order_id"]

    assert refusal(raw) == "invalid ReserveInventory payload: payload.order_id: Field required"


def test_oversized_dict_is_refused():
    raw = wrapped()
    raw["payload"]["padding"] = "x" * MAX_MESSAGE_BYTES

    message = refusal(raw)

    assert message.startswith("message is ")
    assert message.endswith(f"bytes, limit {MAX_MESSAGE_BYTES}")


def test_oversized_string_is_refused_before_parsing():
    raw = " " * (MAX_MESSAGE_BYTES + 1)  # would be "not JSON" if it were parsed

    assert refusal(raw) == f"message is {MAX_MESSAGE_BYTES + 1} bytes, limit {MAX_MESSAGE_BYTES}"


def test_oversized_bytes_are_refused():
    raw = json.dumps({**wrapped(), "pad": "x" * MAX_MESSAGE_BYTES}).encode()

    assert refusal(raw) == f"message is {len(raw)} bytes, limit {MAX_MESSAGE_BYTES}"


def test_extra_envelope_fields_are_refused():
    raw = {**wrapped(), "priority": "high"}

    assert refusal(raw) == "invalid envelope: priority: Extra inputs are not permitted"


def nested_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "raw",
    ["[" * 2_000, '{"a":' * 2_000, b"[" * 2_000, nested_dict(2_000)],
    ids=["list-str", "dict-str", "bytes", "dict-object"],
)
def test_deeply_nested_message_is_refused_as_malformed(raw):
    assert refusal(raw) == "message is nested too deeply"


# --- property: decode only ever says MalformedMessage -------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

ENVELOPE_FIELDS = sorted(Envelope.model_fields)
PAYLOAD_FIELDS = sorted({name for cls in ALL_PAYLOADS for name in cls.model_fields})


@st.composite
def envelope_like(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible envelope (catalog type, random payload) with a few fields made random,
    a few dropped, and maybe an unknown one added: most draws get past the envelope check."""
    raw: dict[str, Any] = {
        "message_id": draw(st.text(min_size=1, max_size=64)),
        "type": draw(st.sampled_from(sorted(MESSAGE_TYPES))),
        "schema_version": draw(st.integers(1, 2)),
        "correlation_id": draw(st.text(min_size=1, max_size=64)),
        "occurred_at": draw(st.datetimes(timezones=st.just(UTC))).isoformat(),
        "payload": draw(st.dictionaries(st.sampled_from(PAYLOAD_FIELDS), json_values, max_size=6)),
    }
    for name in draw(st.sets(st.sampled_from([*ENVELOPE_FIELDS, "extra"]), max_size=2)):
        raw[name] = draw(json_values | st.text(max_size=120))
    for name in draw(st.sets(st.sampled_from(ENVELOPE_FIELDS), max_size=1)):
        raw.pop(name, None)
    return raw


def decode_or_refuse(raw: Any) -> None:
    try:
        result = decode(raw)
    except MalformedMessage as exc:
        assert str(exc)  # a refusal always says why
    else:
        assert isinstance(result, Message)


@settings(max_examples=200, deadline=None, database=None)
@given(json_values)
def test_decode_refuses_arbitrary_json_values_only_with_malformed_message(value):
    decode_or_refuse(value)
    decode_or_refuse(json.dumps(value))


@settings(max_examples=200, deadline=None, database=None)
@given(envelope_like())
def test_decode_refuses_envelope_like_dicts_only_with_malformed_message(raw):
    decode_or_refuse(raw)
    decode_or_refuse(json.dumps(raw).encode())
