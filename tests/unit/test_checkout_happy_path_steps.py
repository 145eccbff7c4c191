"""The checkout saga driven through the pure engine down its happy path, reply by reply:
reserve, charge, ship, confirm. No Celery, no database."""

from __future__ import annotations

from messaging.contracts.inventory import ReserveInventory
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import ChargePayment
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import CreateShipment, ShipmentCreated
from orchestrator.engine import HistoryEntry, OutgoingCommand
from sagas.checkout.events import OrderConfirmed
from tests.checkout_history import HAPPY_PATH_KINDS
from tests.unit.checkout_saga import (
    STOCK_LINES,
    after_charge,
    after_reserve,
    apply,
    charged,
    customer,
    items,
    reserved,
    started,
)
from tests.unit.saga_builders import S, assert_at_rest, assert_awaiting, kinds


def test_start_sends_reserve_inventory_to_inventory(order, new_id):
    t = started(order, new_id)

    reserve = OutgoingCommand(
        message_id="cmd-1",
        service="inventory",
        step="reserve_inventory",
        payload=ReserveInventory(order_id="ord-1", items=STOCK_LINES),
        compensation=False,
    )
    assert_awaiting(t, (S.RUNNING, S.PENDING, S.PENDING), reserve)
    assert t.state.data == {"order": order}
    assert t.state.failure is None
    assert t.state.error is None
    assert t.events == ()
    assert t.history == (
        HistoryEntry("started", None, {}),
        HistoryEntry(
            "command_sent",
            "reserve_inventory",
            {"type": "ReserveInventory", "message_id": "cmd-1"},
        ),
    )


def test_inventory_reserved_charges_the_order_total(order, new_id):
    t = after_reserve(order, new_id)

    charge = OutgoingCommand(
        "cmd-2",
        "payment",
        "charge_payment",
        ChargePayment(
            order_id="ord-1", amount_cents=3000, currency="EUR", payment_token="tok_visa"
        ),
    )
    assert_awaiting(t, (S.SUCCEEDED, S.RUNNING, S.PENDING), charge)
    assert t.state.data["reservation_id"] == "res-1"
    assert t.history == (
        HistoryEntry("reply_applied", "reserve_inventory", {"type": "InventoryReserved"}),
        HistoryEntry(
            "command_sent", "charge_payment", {"type": "ChargePayment", "message_id": "cmd-2"}
        ),
    )


def test_payment_charged_creates_the_shipment(order, new_id):
    t = after_charge(order, new_id)

    ship = OutgoingCommand(
        "cmd-3",
        "shipping",
        "create_shipment",
        CreateShipment(
            order_id="ord-1",
            address=ShippingAddress.model_validate(order["shipping_address"]),
            items=STOCK_LINES,
        ),
    )
    assert_awaiting(t, (S.SUCCEEDED, S.SUCCEEDED, S.RUNNING), ship)
    assert t.state.data["payment_id"] == "pay-1"
    assert kinds(t) == ["reply_applied", "command_sent"]


def test_shipment_created_completes_with_order_confirmed(order, new_id):
    shipment = ShipmentCreated(
        order_id="ord-1", shipment_id="shp-1", carrier="fake-post", tracking_number="FP123"
    )
    t = apply(after_charge(order, new_id).state, shipment, "cmd-3", new_id)

    assert_at_rest(t, SagaStatus.COMPLETED, (S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED))
    assert t.state.failure is None
    assert t.state.data == {
        "order": order,
        "reservation_id": "res-1",
        "payment_id": "pay-1",
        "shipment_id": "shp-1",
        "tracking_number": "FP123",
    }
    assert t.events == (
        OrderConfirmed(
            order_id="ord-1",
            customer=customer(order),
            items=items(order),
            total_cents=3000,
            currency="EUR",
            payment_id="pay-1",
            shipment_id="shp-1",
            tracking_number="FP123",
        ),
    )
    assert t.history == (
        HistoryEntry("reply_applied", "create_shipment", {"type": "ShipmentCreated"}),
        HistoryEntry("completed", None, {}),
    )


def test_happy_path_sends_one_command_per_service_in_order(order, new_id):
    transitions = [started(order, new_id)]
    transitions.append(apply(transitions[-1].state, reserved(), "cmd-1", new_id))
    transitions.append(apply(transitions[-1].state, charged(), "cmd-2", new_id))
    shipment = ShipmentCreated(
        order_id="ord-1", shipment_id="shp-1", carrier="fake-post", tracking_number="FP123"
    )
    transitions.append(apply(transitions[-1].state, shipment, "cmd-3", new_id))

    sent = [
        (c.message_id, c.service, c.payload.message_type) for t in transitions for c in t.commands
    ]
    assert sent == [
        ("cmd-1", "inventory", "ReserveInventory"),
        ("cmd-2", "payment", "ChargePayment"),
        ("cmd-3", "shipping", "CreateShipment"),
    ]
    assert [kind for t in transitions for kind in kinds(t)] == list(HAPPY_PATH_KINDS)
