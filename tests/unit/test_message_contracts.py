"""Message contracts: the catalog, the envelope, the codec's refusals and the submitted order."""

from __future__ import annotations

import copy
import inspect
import json
import subprocess
import sys
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from messaging.codec import MAX_MESSAGE_BYTES, MalformedMessage, Message, decode
from messaging.contracts import (
    Envelope,
    MessageKind,
    Payload,
    catalog,
    inventory,
    payment,
    shipping,
)
from messaging.contracts.inventory import ReserveInventory, StockLine
from messaging.contracts.payment import PaymentCharged, RefundPayment
from sagas.checkout.definition import CHECKOUT
from sagas.checkout.input import Order

EXPECTED_COMMANDS = {
    "ReserveInventory",
    "ReleaseInventory",
    "ChargePayment",
    "RefundPayment",
    "CheckPaymentStatus",
    "CreateShipment",
    "RestockInventory",
    "CreateReturnLabel",
    "VoidReturnLabel",
}
EXPECTED_REPLIES = {
    "InventoryReserved",
    "InventoryReservationFailed",
    "InventoryReleased",
    "PaymentCharged",
    "PaymentDeclined",
    "PaymentRefunded",
    "PaymentRefundFailed",
    "PaymentOutcomeUnknown",
    "ShipmentCreated",
    "ShipmentFailed",
    "InventoryRestocked",
    "ReturnLabelCreated",
    "ReturnLabelRefused",
    "ReturnLabelVoided",
}
EXPECTED_EVENTS = {"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"}


def names_of(kind: MessageKind) -> set[str]:
    return {name for name, cls in MESSAGE_TYPES.items() if cls.kind is kind}


# --- the catalog --------------------------------------------------------------------------


MESSAGE_TYPES = catalog().types
ALL_PAYLOADS = tuple(MESSAGE_TYPES.values())


def test_every_catalog_type_has_a_unique_name_a_kind_and_a_version():
    for name, cls in MESSAGE_TYPES.items():
        assert issubclass(cls, Payload)
        assert cls.message_type == name
        assert cls.kind in set(MessageKind), name
        assert type(cls.schema_version) is int, name
        assert cls.schema_version >= 1, name


def test_the_catalog_holds_exactly_the_expected_names():
    assert set(MESSAGE_TYPES) == EXPECTED_COMMANDS | EXPECTED_REPLIES | EXPECTED_EVENTS


@pytest.mark.parametrize("module", [inventory, payment, shipping], ids=lambda m: m.__name__)
def test_a_contracts_module_lists_every_message_type_it_defines(module):
    defined = {
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Payload) and cls is not Payload and cls.__module__ == module.__name__
    }

    assert len(module.MESSAGES) == len(set(module.MESSAGES))
    assert set(module.MESSAGES) == defined
    assert defined <= set(ALL_PAYLOADS)


def test_commands_have_imperative_names():
    assert names_of(MessageKind.COMMAND) == EXPECTED_COMMANDS


def test_replies_have_past_tense_names():
    assert names_of(MessageKind.REPLY) == EXPECTED_REPLIES


def test_events_have_past_tense_names():
    assert names_of(MessageKind.EVENT) == EXPECTED_EVENTS


def test_a_sagas_events_import_first_and_decode():
    """A fresh process that imports a saga's events before anything else (a reactor, a
    client): the catalog that names them must not make that an import cycle."""
    script = (
        "from sagas.returns.events import MESSAGES\n"
        "from messaging.contracts import catalog\n"
        "assert all(catalog().types[cls.message_type] is cls for cls in MESSAGES)\n"
    )
    run = [sys.executable, "-c", script]
    done = subprocess.run(run, check=False, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()


@pytest.fixture
def saga_data(order: dict[str, Any]) -> dict[str, Any]:
    return {"order": order, "reservation_id": "res-1", "payment_id": "pay-1"}


@pytest.mark.parametrize("step", CHECKOUT.steps, ids=lambda s: s.name)
def test_checkout_step_uses_catalog_commands_and_replies(step, saga_data):
    command = step.command(saga_data)
    assert MESSAGE_TYPES[command.message_type] is type(command)
    assert command.kind is MessageKind.COMMAND

    replies = set(step.success_on) | step.failure_on
    assert replies, step.name
    if step.compensation is not None:
        undo = step.compensation.command(saga_data)
        assert MESSAGE_TYPES[undo.message_type] is type(undo)
        assert undo.kind is MessageKind.COMMAND
        replies |= step.compensation.done_on | step.compensation.failed_on
    for name in replies:
        assert name in MESSAGE_TYPES, name
        assert MESSAGE_TYPES[name].kind is MessageKind.REPLY, name


def test_checkout_events_are_catalog_events(saga_data):
    data = {**saga_data, "shipment_id": "shp-1", "tracking_number": "FP1"}
    failure = {"step": "charge_payment", "code": "card_declined", "reason": "declined"}
    for event in (CHECKOUT.on_completed(data, {}), CHECKOUT.on_compensated(data, failure)):
        assert event is not None
        assert MESSAGE_TYPES[event.message_type] is type(event)
        assert event.kind is MessageKind.EVENT


# --- envelope and codec -------------------------------------------------------------------


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
    assert envelope.schema_version == 1
    assert envelope.causation_id is None
    assert len(envelope.message_id) == 36  # a uuid4 by default
    assert envelope.occurred_at.tzinfo is not None
    assert envelope.payload == {
        "order_id": "ord-1",
        "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1}],
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
    raw = {**wrapped(), "schema_version": 2}

    assert refusal(raw) == (
        "ReserveInventory schema version 2 is not supported (this service reads version 1)"
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


# --- the submitted order ------------------------------------------------------------------


def order_errors(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as exc_info:
        Order.model_validate(data)
    return [
        (".".join(str(p) for p in e["loc"]), e["type"], e["msg"]) for e in exc_info.value.errors()
    ]


def test_valid_order_is_accepted(order):
    parsed = Order.model_validate(order)

    assert parsed.order_id == "ord-1"
    assert parsed.customer.email == "ada@example.com"
    assert [(i.sku, i.quantity, i.unit_price_cents) for i in parsed.items] == [
        ("SKU-1", 2, 1250),
        ("SKU-2", 1, 500),
    ]
    assert parsed.shipping_address.country == "GB"


def test_total_cents_is_the_sum_of_the_lines(order):
    assert Order.model_validate(order).total_cents == 2 * 1250 + 1 * 500

    order["items"].append({"sku": "SKU-3", "quantity": 3, "unit_price_cents": 0})
    order["items"].append({"sku": "SKU-4", "quantity": 7, "unit_price_cents": 99})
    assert Order.model_validate(order).total_cents == 3000 + 0 + 693


def test_bad_email_is_named(order):
    order["customer"]["email"] = "not-an-email"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("customer.email", "value_error")


def test_zero_quantity_is_named(order):
    order["items"][1]["quantity"] = 0

    assert order_errors(order) == [
        ("items.1.quantity", "greater_than", "Input should be greater than 0")
    ]


def test_negative_price_is_named(order):
    order["items"][0]["unit_price_cents"] = -1

    assert order_errors(order) == [
        (
            "items.0.unit_price_cents",
            "greater_than_equal",
            "Input should be greater than or equal to 0",
        )
    ]


def test_missing_country_is_named(order):
    del order["shipping_address"]["country"]

    assert order_errors(order) == [("shipping_address.country", "missing", "Field required")]


def test_lowercase_country_is_named(order):
    order["shipping_address"]["country"] = "gb"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("shipping_address.country", "string_pattern_mismatch")


def test_duplicate_sku_is_refused_naming_items(order):
    order["items"].append(copy.deepcopy(order["items"][0]))

    [(loc, kind, msg)] = order_errors(order)
    assert (loc, kind) == ("", "value_error")
    assert msg == "Value error, items: each sku may appear only once"


def test_extra_unknown_field_is_named(order):
    order["coupon"] = "FREE"

    assert order_errors(order) == [("coupon", "extra_forbidden", "Extra inputs are not permitted")]


def test_quantity_must_be_a_real_integer(order):
    order["items"][0]["quantity"] = "2"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("items.0.quantity", "int_type")
