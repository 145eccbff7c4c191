"""Replies that do not answer the command the saga waits on are ignored, never applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from messaging.contracts import Payload
from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    StockLine,
)
from messaging.contracts.payment import (
    PaymentCharged,
    PaymentDeclined,
    PaymentRefunded,
    PaymentRefundFailed,
)
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import ShipmentCreated, ShipmentFailed
from orchestrator import engine
from orchestrator.engine import Ignored, SagaState, Transition
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from sagas.checkout.version_1 import COMPENSATION_POLICY

IdFactory = Callable[[], str]

LINES = [StockLine(sku="SKU-1", quantity=2), StockLine(sku="SKU-2", quantity=1)]
RESERVED = InventoryReserved(order_id="ord-1", reservation_id="res-1", items=LINES)
OUT_OF_STOCK = InventoryReservationFailed(order_id="ord-1", code="out_of_stock", reason="none")
RELEASED = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=LINES)
CHARGED = PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR")
DECLINED = PaymentDeclined(order_id="ord-1", code="card_declined", reason="declined")
REFUNDED = PaymentRefunded(order_id="ord-1", payment_id="pay-1", refund_id="re-1", amount_cents=1)
REFUND_FAILED = PaymentRefundFailed(
    order_id="ord-1", payment_id="pay-1", code="processor_error", reason="refused"
)
SHIPPED = ShipmentCreated(
    order_id="ord-1", shipment_id="shp-1", carrier="fake-post", tracking_number="FP1"
)
NOT_SHIPPED = ShipmentFailed(order_id="ord-1", code="destination_refused", reason="ZZ")


def reply(
    state: SagaState, payload: Payload, causation_id: str | None, new_id: IdFactory
) -> Transition | Ignored:
    return engine.on_reply(
        CHECKOUT, state, payload.message_type, causation_id, payload, new_id=new_id
    )


def applied(
    state: SagaState, payload: Payload, causation_id: str | None, new_id: IdFactory
) -> SagaState:
    result = reply(state, payload, causation_id, new_id)
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result.state


def drive(order: dict[str, Any], new_id: IdFactory, *replies: Payload) -> SagaState:
    """Start the saga and apply each reply to the command it currently waits on. A failed
    compensation is retried when its deadline is due, as the sweeper would."""
    state = engine.start(CHECKOUT, {"order": order}, new_id).state
    for payload in replies:
        if state.awaiting is None and state.deadline is not None:
            due = engine.on_deadline(CHECKOUT, state, new_id, state.deadline)
            assert isinstance(due, Transition)
            state = due.state
        state = applied(state, payload, state.awaiting, new_id)
    return state


def test_reply_to_another_command_id_is_ignored(order, new_id):
    state = drive(order, new_id)
    assert state.awaiting == "cmd-1"

    result = reply(state, RESERVED, "cmd-999", new_id)

    assert isinstance(result, Ignored)
    assert "cmd-999" in result.reason
    assert "cmd-1" in result.reason


def test_reply_without_causation_id_is_ignored(order, new_id):
    state = drive(order, new_id)

    result = reply(state, RESERVED, None, new_id)

    assert isinstance(result, Ignored)
    assert "None" in result.reason


def test_same_reply_twice_is_applied_once(order, new_id):
    state = drive(order, new_id)
    first = reply(state, RESERVED, "cmd-1", new_id)
    assert isinstance(first, Transition)
    assert first.state.current_step == 1
    assert first.state.awaiting == "cmd-2"

    second = reply(first.state, RESERVED, "cmd-1", new_id)

    assert isinstance(second, Ignored)
    assert "cmd-1" in second.reason
    assert "cmd-2" in second.reason


def test_duplicate_reply_sends_no_second_command(order, new_id):
    """The id factory is not consulted for an ignored reply: no command is minted."""
    state = drive(order, new_id, RESERVED)
    assert state.awaiting == "cmd-2"
    assert isinstance(reply(state, RESERVED, "cmd-1", new_id), Ignored)

    after = applied(state, CHARGED, "cmd-2", new_id)

    assert after.awaiting == "cmd-3"


@pytest.mark.parametrize(
    ("replies", "unexpected"),
    [
        pytest.param((), CHARGED, id="PaymentCharged-while-reserving"),
        pytest.param((), RELEASED, id="compensation-reply-while-running"),
        pytest.param((RESERVED,), RESERVED, id="InventoryReserved-while-charging"),
        pytest.param((RESERVED,), NOT_SHIPPED, id="ShipmentFailed-while-charging"),
        pytest.param((RESERVED,), REFUNDED, id="PaymentRefunded-while-charging"),
        pytest.param((RESERVED, CHARGED), DECLINED, id="PaymentDeclined-while-shipping"),
    ],
)
def test_reply_of_unexpected_type_for_current_step_is_ignored(order, new_id, replies, unexpected):
    state = drive(order, new_id, *replies)
    assert state.current_step is not None
    step = CHECKOUT.steps[state.current_step].name

    result = reply(state, unexpected, state.awaiting, new_id)

    assert isinstance(result, Ignored)
    assert unexpected.message_type in result.reason
    assert step in result.reason


@pytest.mark.parametrize(
    ("replies", "status"),
    [
        pytest.param((RESERVED, CHARGED, SHIPPED), SagaStatus.COMPLETED, id="completed"),
        pytest.param((OUT_OF_STOCK,), SagaStatus.COMPENSATED, id="compensated"),
        pytest.param(
            (RESERVED, CHARGED, NOT_SHIPPED, *[REFUND_FAILED] * COMPENSATION_POLICY.max_attempts),
            SagaStatus.FAILED,
            id="failed",
        ),
    ],
)
@pytest.mark.parametrize(
    "late",
    [RESERVED, OUT_OF_STOCK, RELEASED, CHARGED, DECLINED, REFUNDED, SHIPPED, NOT_SHIPPED],
    ids=lambda p: p.message_type,
)
def test_any_reply_to_a_terminal_saga_is_ignored(order, new_id, replies, status, late):
    state = drive(order, new_id, *replies)
    assert state.status is status

    for causation_id in ("cmd-1", "cmd-2", "cmd-3", "cmd-4", None):
        result = reply(state, late, causation_id, new_id)
        assert isinstance(result, Ignored)
        assert result.reason == f"saga is already {status}"


def test_old_step_reply_during_compensation_is_ignored(order, new_id):
    state = drive(order, new_id, RESERVED, CHARGED, NOT_SHIPPED)
    assert state.status is SagaStatus.COMPENSATING
    assert state.awaiting == "cmd-4"  # RefundPayment

    stale = [(RESERVED, "cmd-1"), (CHARGED, "cmd-2"), (NOT_SHIPPED, "cmd-3"), (SHIPPED, "cmd-3")]
    for payload, causation_id in stale:
        result = reply(state, payload, causation_id, new_id)
        assert isinstance(result, Ignored), payload.message_type


def test_forward_reply_to_the_compensation_command_is_ignored(order, new_id):
    """While compensating a step only its compensation replies count, even with the right id."""
    state = drive(order, new_id, RESERVED, CHARGED, NOT_SHIPPED)

    for payload in (CHARGED, DECLINED, RELEASED):
        result = reply(state, payload, "cmd-4", new_id)
        assert isinstance(result, Ignored), payload.message_type
        assert "charge_payment" in result.reason
        assert "compensating" in result.reason


def test_ignored_replies_leave_compensation_on_track(order, new_id):
    state = drive(order, new_id, RESERVED, CHARGED, NOT_SHIPPED)
    for payload, causation_id in [(CHARGED, "cmd-2"), (RELEASED, "cmd-4"), (REFUNDED, "cmd-9")]:
        assert isinstance(reply(state, payload, causation_id, new_id), Ignored)

    state = applied(state, REFUNDED, "cmd-4", new_id)
    assert state.awaiting == "cmd-5"  # ReleaseInventory
    # the refund reply again, now stale
    assert isinstance(reply(state, REFUNDED, "cmd-4", new_id), Ignored)

    state = applied(state, RELEASED, "cmd-5", new_id)
    assert state.status is SagaStatus.COMPENSATED
