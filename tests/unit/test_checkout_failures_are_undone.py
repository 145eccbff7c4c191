"""The checkout saga driven through the pure engine when a step fails: out of stock (nothing
to undo), a declined card (release), a refused destination (refund, then release), and a
refund that keeps failing (the saga stops for an operator). No Celery, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    ReleaseInventory,
)
from messaging.contracts.payment import (
    PaymentDeclined,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import ShipmentFailed
from orchestrator import engine
from orchestrator.engine import HistoryEntry, Ignored, OutgoingCommand, Transition
from sagas.checkout.events import OrderCancelled
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.checkout_saga import (
    STOCK_LINES,
    after_charge,
    after_reserve,
    apply,
    cancelled,
    started,
)
from tests.unit.saga_builders import S, assert_at_rest, assert_awaiting, kinds


def release(message_id: str) -> OutgoingCommand:
    """The compensation of reserve_inventory: the reservation goes back."""
    return OutgoingCommand(
        message_id,
        "inventory",
        "reserve_inventory",
        ReleaseInventory(order_id="ord-1", reservation_id="res-1"),
        compensation=True,
    )


# --- out of stock: the first step fails, nothing to undo ----------------------------------


def test_out_of_stock_is_compensated_at_once_without_commands(order, new_id):
    reason = "out of stock: SKU-1 (wanted 2, available 1)"
    failed = InventoryReservationFailed(order_id="ord-1", code="out_of_stock", reason=reason)
    t = apply(started(order, new_id).state, failed, "cmd-1", new_id)

    failure = {"step": "reserve_inventory", "code": "out_of_stock", "reason": reason}
    assert_at_rest(t, SagaStatus.COMPENSATED, (S.FAILED, S.PENDING, S.PENDING))
    assert t.state.failure == failure
    assert t.state.error is None
    assert t.events == (cancelled(order, "out_of_stock", reason),)
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

    assert_awaiting(t, (S.COMPENSATING, S.FAILED, S.PENDING), release("cmd-3"))
    assert t.state.failure == {
        "step": "charge_payment",
        "code": "card_declined",
        "reason": "the card was declined",
    }
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

    assert_at_rest(t, SagaStatus.COMPENSATED, (S.COMPENSATED, S.FAILED, S.PENDING))
    assert t.events == (cancelled(order, "card_declined", "the card was declined"),)
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

    refund = OutgoingCommand(
        "cmd-4",
        "payment",
        "charge_payment",
        RefundPayment(order_id="ord-1", payment_id="pay-1"),
        compensation=True,
    )
    assert_awaiting(t1, (S.SUCCEEDED, S.COMPENSATING, S.FAILED), refund)
    assert kinds(t1) == ["reply_applied", "compensation_sent"]

    refunded = PaymentRefunded(
        order_id="ord-1", payment_id="pay-1", refund_id="re-1", amount_cents=3000
    )
    t2 = apply(t1.state, refunded, "cmd-4", new_id)

    assert_awaiting(t2, (S.COMPENSATING, S.COMPENSATED, S.FAILED), release("cmd-5"))
    assert kinds(t2) == ["reply_applied", "compensation_sent"]

    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)
    t3 = apply(t2.state, released, "cmd-5", new_id)

    assert_at_rest(t3, SagaStatus.COMPENSATED, (S.COMPENSATED, S.COMPENSATED, S.FAILED))
    assert t3.state.failure == {
        "step": "create_shipment",
        "code": "destination_refused",
        "reason": "fake-post does not deliver to ZZ",
    }
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
    failed_type = refund_failed.message_type
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = compensating.state
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
