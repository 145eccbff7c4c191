"""A charge whose outcome is unknown is never sent again: the saga asks for the status
until it is known, then goes on or compensates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.contracts.payment import PaymentCharged, PaymentDeclined, PaymentOutcomeUnknown
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.engine import SagaState, Transition
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.saga_builders import IdFactory, applied

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
UNKNOWN = PaymentOutcomeUnknown(order_id="ord-1", payment_id="pay-1", reason="no answer")


def answer(state: SagaState, reply: Payload, new_id: IdFactory) -> Transition:
    return applied(CHECKOUT, state, reply, state.awaiting, new_id, now=NOW)


def charging(order: dict[str, Any], new_id: IdFactory) -> SagaState:
    started = engine.start(CHECKOUT, {"order": order}, new_id, now=NOW)
    reserved = InventoryReserved(
        order_id="ord-1", reservation_id="res-1", items=[StockLine(sku="SKU-1", quantity=1)]
    )
    return answer(started.state, reserved, new_id).state


def ask(state: SagaState, new_id: IdFactory) -> Transition:
    assert state.deadline is not None
    asked = engine.on_deadline(CHECKOUT, state, new_id, state.deadline)
    assert isinstance(asked, Transition)
    return asked


def test_unknown_outcome_is_asked_for_until_known_then_the_saga_goes_on(order, new_id):
    state = charging(order, new_id)
    charge_id = state.awaiting

    unknown = answer(state, UNKNOWN, new_id)
    assert unknown.commands == ()
    assert unknown.state.querying
    assert unknown.state.data["payment_id"] == "pay-1"
    first = ask(unknown.state, new_id)
    (query,) = first.commands
    assert query.payload.message_type == "CheckPaymentStatus"
    assert query.message_id != charge_id

    still = answer(first.state, UNKNOWN, new_id)
    second = ask(still.state, new_id)
    assert second.commands[0].payload.message_type == "CheckPaymentStatus"
    assert second.state.data["status_checks"] == 2

    known = answer(
        second.state,
        PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"),
        new_id,
    )
    assert not known.state.querying
    assert known.state.status is SagaStatus.RUNNING
    assert [c.payload.message_type for c in known.commands] == ["CreateShipment"]
    sent = [
        c.payload.message_type for t in (unknown, first, still, second, known) for c in t.commands
    ]
    assert "ChargePayment" not in sent  # never a second charge


def test_status_query_that_times_out_is_resent_with_the_same_id(order, new_id):
    first = ask(answer(charging(order, new_id), UNKNOWN, new_id).state, new_id)
    resent = ask(first.state, new_id)
    assert resent.commands[0].message_id == first.commands[0].message_id
    assert resent.commands[0].payload.message_type == "CheckPaymentStatus"


def test_unknown_outcome_that_turns_out_declined_releases_the_stock(order, new_id):
    first = ask(answer(charging(order, new_id), UNKNOWN, new_id).state, new_id)
    declined = answer(
        first.state, PaymentDeclined(order_id="ord-1", code="card_declined", reason="no"), new_id
    )
    assert declined.state.status is SagaStatus.COMPENSATING
    assert [c.payload.message_type for c in declined.commands] == ["ReleaseInventory"]


def test_cancel_while_the_outcome_is_unknown_waits_for_it_then_refunds(order, new_id):
    unknown = answer(charging(order, new_id), UNKNOWN, new_id)

    cancelled = engine.cancel(CHECKOUT, unknown.state, "customer called", new_id, now=NOW)
    assert isinstance(cancelled, Transition)
    assert cancelled.commands == ()  # the charge may have happened: find out first
    assert cancelled.state.cancel_reason == "customer called"

    asked = ask(cancelled.state, new_id)
    known = answer(
        asked.state,
        PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"),
        new_id,
    )
    assert known.state.status is SagaStatus.COMPENSATING
    assert [c.payload.message_type for c in known.commands] == ["RefundPayment"]
