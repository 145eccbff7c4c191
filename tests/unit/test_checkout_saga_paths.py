"""The checkout saga driven through the pure engine, path by path: no Celery, no database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from messaging.contracts import Payload
from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    ReleaseInventory,
    ReserveInventory,
    StockLine,
)
from messaging.contracts.orders import Customer, OrderItem, ShippingAddress
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentDeclined,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import CreateShipment, ShipmentCreated, ShipmentFailed
from orchestrator import engine
from orchestrator.engine import (
    HistoryEntry,
    Ignored,
    OutgoingCommand,
    SagaState,
    StepStatus,
    Transition,
)
from sagas.checkout.definition import CHECKOUT
from sagas.checkout.events import OrderCancelled, OrderConfirmed

IdFactory = Callable[[], str]

S = StepStatus
STOCK_LINES = [StockLine(sku="SKU-1", quantity=2), StockLine(sku="SKU-2", quantity=1)]


def apply(
    state: SagaState, reply: Payload, causation_id: str | None, new_id: IdFactory
) -> Transition:
    result = engine.on_reply(
        CHECKOUT, state, reply.message_type, causation_id, reply, new_id=new_id
    )
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result


def kinds(transition: Transition) -> list[str]:
    return [entry.kind for entry in transition.history]


def reserved() -> InventoryReserved:
    return InventoryReserved(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)


def charged() -> PaymentCharged:
    return PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR")


def customer(order: dict[str, Any]) -> Customer:
    return Customer.model_validate(order["customer"])


def items(order: dict[str, Any]) -> list[OrderItem]:
    return [OrderItem.model_validate(item) for item in order["items"]]


def started(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return engine.start(CHECKOUT, {"order": order}, new_id)


def after_reserve(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return apply(started(order, new_id).state, reserved(), "cmd-1", new_id)


def after_charge(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return apply(after_reserve(order, new_id).state, charged(), "cmd-2", new_id)


# --- happy path ---------------------------------------------------------------------------


def test_start_sends_reserve_inventory_to_inventory(order, new_id):
    t = started(order, new_id)

    assert t.state.status is SagaStatus.RUNNING
    assert t.state.steps == (S.RUNNING, S.PENDING, S.PENDING)
    assert t.state.current_step == 0
    assert t.state.awaiting == "cmd-1"
    assert t.state.data == {"order": order}
    assert t.state.failure is None
    assert t.state.error is None
    assert t.commands == (
        OutgoingCommand(
            message_id="cmd-1",
            service="inventory",
            step="reserve_inventory",
            payload=ReserveInventory(order_id="ord-1", items=STOCK_LINES),
            compensation=False,
        ),
    )
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

    assert t.state.status is SagaStatus.RUNNING
    assert t.state.steps == (S.SUCCEEDED, S.RUNNING, S.PENDING)
    assert t.state.current_step == 1
    assert t.state.awaiting == "cmd-2"
    assert t.state.data["reservation_id"] == "res-1"
    assert t.commands == (
        OutgoingCommand(
            "cmd-2",
            "payment",
            "charge_payment",
            ChargePayment(
                order_id="ord-1", amount_cents=3000, currency="EUR", payment_token="tok_visa"
            ),
        ),
    )
    assert t.history == (
        HistoryEntry("reply_applied", "reserve_inventory", {"type": "InventoryReserved"}),
        HistoryEntry(
            "command_sent", "charge_payment", {"type": "ChargePayment", "message_id": "cmd-2"}
        ),
    )


def test_payment_charged_creates_the_shipment(order, new_id):
    t = after_charge(order, new_id)

    assert t.state.status is SagaStatus.RUNNING
    assert t.state.steps == (S.SUCCEEDED, S.SUCCEEDED, S.RUNNING)
    assert t.state.current_step == 2
    assert t.state.awaiting == "cmd-3"
    assert t.state.data["payment_id"] == "pay-1"
    assert t.commands == (
        OutgoingCommand(
            "cmd-3",
            "shipping",
            "create_shipment",
            CreateShipment(
                order_id="ord-1",
                address=ShippingAddress.model_validate(order["shipping_address"]),
                items=STOCK_LINES,
            ),
        ),
    )
    assert kinds(t) == ["reply_applied", "command_sent"]


def test_shipment_created_completes_with_order_confirmed(order, new_id):
    shipment = ShipmentCreated(
        order_id="ord-1", shipment_id="shp-1", carrier="fake-post", tracking_number="FP123"
    )
    t = apply(after_charge(order, new_id).state, shipment, "cmd-3", new_id)

    assert t.state.status is SagaStatus.COMPLETED
    assert t.state.steps == (S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED)
    assert t.state.current_step is None
    assert t.state.awaiting is None
    assert t.state.failure is None
    assert t.state.data == {
        "order": order,
        "reservation_id": "res-1",
        "payment_id": "pay-1",
        "shipment_id": "shp-1",
        "tracking_number": "FP123",
    }
    assert t.commands == ()
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
    assert [kind for t in transitions for kind in kinds(t)] == [
        "started",
        "command_sent",
        "reply_applied",
        "command_sent",
        "reply_applied",
        "command_sent",
        "reply_applied",
        "completed",
    ]


# --- out of stock: the first step fails, nothing to undo ----------------------------------


def test_out_of_stock_is_compensated_at_once_without_commands(order, new_id):
    reason = "out of stock: SKU-1 (wanted 2, available 1)"
    failed = InventoryReservationFailed(order_id="ord-1", code="out_of_stock", reason=reason)
    t = apply(started(order, new_id).state, failed, "cmd-1", new_id)

    failure = {"step": "reserve_inventory", "code": "out_of_stock", "reason": reason}
    assert t.state.status is SagaStatus.COMPENSATED
    assert t.state.steps == (S.FAILED, S.PENDING, S.PENDING)
    assert t.state.current_step is None
    assert t.state.awaiting is None
    assert t.state.failure == failure
    assert t.state.error is None
    assert t.commands == ()
    assert t.events == (
        OrderCancelled(
            order_id="ord-1",
            customer=customer(order),
            items=items(order),
            total_cents=3000,
            currency="EUR",
            code="out_of_stock",
            reason=reason,
        ),
    )
    assert t.history == (
        HistoryEntry("reply_applied", "reserve_inventory", {"type": "InventoryReservationFailed"}),
        HistoryEntry("compensated", None, failure),
    )


# --- declined card: release the reservation ----------------------------------------------


def test_declined_card_releases_the_reservation(order, new_id):
    declined = PaymentDeclined(
        order_id="ord-1", code="card_declined", reason="the card was declined"
    )
    t = apply(after_reserve(order, new_id).state, declined, "cmd-2", new_id)

    assert t.state.status is SagaStatus.COMPENSATING
    assert t.state.steps == (S.COMPENSATING, S.FAILED, S.PENDING)
    assert t.state.current_step == 0
    assert t.state.awaiting == "cmd-3"
    assert t.state.failure == {
        "step": "charge_payment",
        "code": "card_declined",
        "reason": "the card was declined",
    }
    assert t.commands == (
        OutgoingCommand(
            "cmd-3",
            "inventory",
            "reserve_inventory",
            ReleaseInventory(order_id="ord-1", reservation_id="res-1"),
            compensation=True,
        ),
    )
    assert t.events == ()
    assert t.history == (
        HistoryEntry("reply_applied", "charge_payment", {"type": "PaymentDeclined"}),
        HistoryEntry(
            "compensation_sent",
            "reserve_inventory",
            {"type": "ReleaseInventory", "message_id": "cmd-3"},
        ),
    )


def test_declined_card_is_compensated_once_inventory_is_released(order, new_id):
    declined = PaymentDeclined(
        order_id="ord-1", code="card_declined", reason="the card was declined"
    )
    compensating = apply(after_reserve(order, new_id).state, declined, "cmd-2", new_id)
    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)
    t = apply(compensating.state, released, "cmd-3", new_id)

    assert t.state.status is SagaStatus.COMPENSATED
    assert t.state.steps == (S.COMPENSATED, S.FAILED, S.PENDING)
    assert t.state.current_step is None
    assert t.state.awaiting is None
    assert t.commands == ()
    assert t.events == (
        OrderCancelled(
            order_id="ord-1",
            customer=customer(order),
            items=items(order),
            total_cents=3000,
            currency="EUR",
            code="card_declined",
            reason="the card was declined",
        ),
    )
    assert kinds(t) == ["reply_applied", "compensated"]
    assert t.history[1].detail == {
        "step": "charge_payment",
        "code": "card_declined",
        "reason": "the card was declined",
    }


# --- refused destination: refund, then release (reverse order) ----------------------------


def test_refused_destination_refunds_then_releases_then_compensates(order, new_id):
    refused = ShipmentFailed(
        order_id="ord-1", code="destination_refused", reason="fake-post does not deliver to ZZ"
    )
    t1 = apply(after_charge(order, new_id).state, refused, "cmd-3", new_id)

    assert t1.state.status is SagaStatus.COMPENSATING
    assert t1.state.steps == (S.SUCCEEDED, S.COMPENSATING, S.FAILED)
    assert t1.state.current_step == 1
    assert t1.state.awaiting == "cmd-4"
    assert t1.commands == (
        OutgoingCommand(
            "cmd-4",
            "payment",
            "charge_payment",
            RefundPayment(order_id="ord-1", payment_id="pay-1"),
            compensation=True,
        ),
    )
    assert kinds(t1) == ["reply_applied", "compensation_sent"]

    refunded = PaymentRefunded(
        order_id="ord-1", payment_id="pay-1", refund_id="re-1", amount_cents=3000
    )
    t2 = apply(t1.state, refunded, "cmd-4", new_id)

    assert t2.state.status is SagaStatus.COMPENSATING
    assert t2.state.steps == (S.COMPENSATING, S.COMPENSATED, S.FAILED)
    assert t2.state.current_step == 0
    assert t2.state.awaiting == "cmd-5"
    assert t2.commands == (
        OutgoingCommand(
            "cmd-5",
            "inventory",
            "reserve_inventory",
            ReleaseInventory(order_id="ord-1", reservation_id="res-1"),
            compensation=True,
        ),
    )
    assert kinds(t2) == ["reply_applied", "compensation_sent"]

    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)
    t3 = apply(t2.state, released, "cmd-5", new_id)

    assert t3.state.status is SagaStatus.COMPENSATED
    assert t3.state.steps == (S.COMPENSATED, S.COMPENSATED, S.FAILED)
    assert t3.state.current_step is None
    assert t3.state.awaiting is None
    assert t3.state.failure == {
        "step": "create_shipment",
        "code": "destination_refused",
        "reason": "fake-post does not deliver to ZZ",
    }
    assert t3.commands == ()
    assert [(e.code, e.reason) for e in t3.events if isinstance(e, OrderCancelled)] == [
        ("destination_refused", "fake-post does not deliver to ZZ")
    ]
    assert len(t3.events) == 1
    assert kinds(t3) == ["reply_applied", "compensated"]
    # the compensations went out newest step first
    assert [c.payload.message_type for t in (t1, t2) for c in t.commands] == [
        "RefundPayment",
        "ReleaseInventory",
    ]


# --- refund fails: retried with backoff, then the saga stops and needs an operator --------


def test_refund_failure_is_retried_then_fails_the_saga_naming_step_and_reason(order, new_id):
    refused = ShipmentFailed(
        order_id="ord-1", code="destination_refused", reason="fake-post does not deliver to ZZ"
    )
    compensating = apply(after_charge(order, new_id).state, refused, "cmd-3", new_id)
    refund_failed = PaymentRefundFailed(
        order_id="ord-1",
        payment_id="pay-1",
        code="processor_error",
        reason="the card network refused the refund",
    )
    compensation = CHECKOUT.steps[1].compensation
    assert compensation is not None
    policy = compensation.policy
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = compensating.state
    failed_type = refund_failed.message_type
    for attempt in range(1, policy.max_attempts):
        t = engine.on_reply(
            CHECKOUT, state, failed_type, state.awaiting, refund_failed, new_id=new_id, now=now
        )
        assert isinstance(t, Transition)
        assert t.state.status is SagaStatus.COMPENSATING
        assert t.state.awaiting is None
        assert t.state.deadline == now + timedelta(seconds=policy.delay_after(attempt))
        assert kinds(t) == ["reply_applied", "compensation_retry_scheduled"]
        assert engine.on_deadline(CHECKOUT, t.state, new_id, now) == Ignored(
            f"deadline {t.state.deadline.isoformat()} not due"
        )
        now = t.state.deadline
        retried = engine.on_deadline(CHECKOUT, t.state, new_id, now)
        assert isinstance(retried, Transition)
        (command,) = retried.commands
        assert command.payload.message_type == "RefundPayment"
        assert command.message_id == retried.state.awaiting != t.state.awaiting
        assert retried.state.attempt == attempt + 1
        state = retried.state

    t = engine.on_reply(
        CHECKOUT, state, failed_type, state.awaiting, refund_failed, new_id=new_id, now=now
    )
    error = (
        f"compensation of charge_payment failed after {policy.max_attempts} attempts: "
        "processor_error: the card network refused the refund"
    )
    assert isinstance(t, Transition)
    assert t.state.status is SagaStatus.FAILED
    assert t.state.status.terminal
    assert t.state.error == error
    assert t.state.steps == (S.SUCCEEDED, S.COMPENSATION_FAILED, S.FAILED)
    assert t.state.current_step == 1
    assert t.state.deadline is None
    # the first failure is still on record
    assert t.state.failure == {
        "step": "create_shipment",
        "code": "destination_refused",
        "reason": "fake-post does not deliver to ZZ",
    }
    assert t.commands == ()
    assert t.events == ()
    assert t.history == (
        HistoryEntry("reply_applied", "charge_payment", {"type": "PaymentRefundFailed"}),
        HistoryEntry("failed", "charge_payment", {"error": error}),
    )
