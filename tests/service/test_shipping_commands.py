"""Shipping's commands through its registry and the consumer, on a real store: a shipment
gets a label from the carrier or is refused with nothing recorded; a return has one
label, asked for as often as it may be; a voided label is voided once and never made
again."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.read_models import TrailEntry
from messaging.contracts.shipping import (
    CreateReturnLabel,
    CreateShipment,
    ReturnLabelCreated,
    ReturnLabelRefused,
    ReturnLabelVoided,
    ShipmentCreated,
    ShipmentFailed,
    VoidReturnLabel,
)
from messaging.order_trail import register_order_trail
from participants.shipping import store as shipping_store
from tests.service.harness import AppOnStore, Participant

pytestmark = pytest.mark.service


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)
LINES = [StockLine(sku="SKU-1", quantity=2)]


# --- shipments --------------------------------------------------------------------------


def ship(shipping: Participant, order_id: str, country: str = "GB") -> Any:
    address = ADDRESS.model_copy(update={"country": country})
    return shipping.send(CreateShipment(order_id=order_id, address=address, items=LINES))


def shipment_rows(shipping: Participant, order_id: str) -> list[dict[str, Any]]:
    with shipping.engine.begin() as conn:
        return shipping_store.shipments_of(conn, order_id)


def test_a_shipment_gets_a_label_from_the_carrier(shipping):
    order_id = unique("ord")

    reply = ship(shipping, order_id)

    assert isinstance(reply, ShipmentCreated)
    assert reply.carrier == "world-express"  # GB, from home FR
    assert reply.tracking_number.startswith("FP")
    (row,) = shipment_rows(shipping, order_id)
    assert (row["shipment_id"], row["tracking_number"]) == (
        reply.shipment_id,
        reply.tracking_number,
    )


def test_a_refused_destination_records_no_shipment(shipping):
    order_id = unique("ord")

    reply = ship(shipping, order_id, country="ZZ")

    assert reply == ShipmentFailed(
        order_id=order_id,
        code="destination_refused",
        reason="world-express does not deliver to ZZ",
    )
    assert shipment_rows(shipping, order_id) == []


# --- return labels ----------------------------------------------------------------------


def create_label(
    shipping: Participant, return_id: str, order_id: str = "ord-1", postal_code: str = "N1 9GU"
) -> Any:
    address = ADDRESS.model_copy(update={"postal_code": postal_code})
    command = CreateReturnLabel(
        return_id=return_id, order_id=order_id, address=address, items=LINES
    )
    return shipping.send(command, reply_to="returns")


def void_label(shipping: Participant, return_id: str, label_id: str) -> Any:
    command = VoidReturnLabel(return_id=return_id, order_id="ord-1", label_id=label_id)
    return shipping.send(command, reply_to="returns")


def label_rows(shipping: Participant, return_id: str) -> list[tuple[str, str, bool]]:
    with shipping.engine.begin() as conn:
        rows = conn.execute(
            select(shipping_store.return_labels).where(
                shipping_store.return_labels.c.return_id == return_id
            )
        ).all()
    return [(row.label_id, row.status, row.voided_at is not None) for row in rows]


def test_a_return_label_asked_for_twice_is_made_once(shipping):
    return_id = unique("RET")

    first = create_label(shipping, return_id)
    again = create_label(shipping, return_id)

    assert isinstance(first, ReturnLabelCreated)
    assert (first.return_id, first.order_id, first.carrier) == (return_id, "ord-1", "fake-post")
    assert again == first
    assert label_rows(shipping, return_id) == [(first.label_id, "created", False)]


def test_a_label_voided_twice_is_voided_once_and_not_made_again(shipping):
    return_id = unique("RET")
    label = create_label(shipping, return_id)

    voided = void_label(shipping, return_id, label.label_id)
    voided_again = void_label(shipping, return_id, label.label_id)
    created_again = create_label(shipping, return_id)

    expected = ReturnLabelVoided(return_id=return_id, order_id="ord-1", label_id=label.label_id)
    assert voided == voided_again == expected
    assert label_rows(shipping, return_id) == [(label.label_id, "voided", True)]
    assert isinstance(created_again, ReturnLabelRefused)
    assert created_again.code == "return_label_voided"
    with shipping.engine.begin() as conn:
        trail = shipping_store.order_trail(conn, "ord-1")
    assert [entry.what for entry in trail] == ["return label created", "return label voided"]


def test_voiding_an_unknown_label_is_answered_as_voided(shipping):
    return_id = unique("RET")

    assert void_label(shipping, return_id, "rl_nope") == ReturnLabelVoided(
        return_id=return_id, order_id="ord-1", label_id="rl_nope"
    )
    assert label_rows(shipping, return_id) == []


def test_a_refused_return_label_records_nothing(shipping):
    return_id = unique("RET")

    refused = create_label(shipping, return_id, postal_code="00000")

    assert refused == ReturnLabelRefused(
        return_id=return_id,
        order_id="ord-1",
        code="return_refused",
        reason="fake-post refuses return labels from postal code 00000",
    )
    assert label_rows(shipping, return_id) == []


def test_the_order_trail_task_answers_every_record_in_time_order_as_json(shipping):
    """``shipping.order_trail`` as the console calls it: TrailEntry as JSON, oldest first."""
    return_id = unique("RET")
    ship(shipping, "ord-1")
    label = create_label(shipping, return_id)
    void_label(shipping, return_id, label.label_id)
    app = AppOnStore("shipping", shipping.engine)

    answer = register_order_trail(app, shipping_store.order_trail)("ord-1")

    assert [set(entry) for entry in answer] == [{"at", "what", "detail"}] * 3
    entries = [TrailEntry.model_validate(entry) for entry in answer]
    assert [entry.what for entry in entries] == [
        "shipment created",
        "return label created",
        "return label voided",
    ]
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    assert entries[1].detail == f"{label.carrier} {label.tracking_number} (return {return_id})"
