"""A charge whose outcome is unknown is never sent again: the saga asks for the status
until it is known, then goes on or compensates."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.contracts.payment import PaymentCharged, PaymentDeclined, PaymentOutcomeUnknown
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.engine import SagaState, Transition
from sagas.checkout.definition import CHECKOUT

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
UNKNOWN = PaymentOutcomeUnknown(order_id="ord-1", payment_id="pay-1", reason="no answer")


@pytest.fixture
def ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"cmd-{next(counter)}"


def answer(state: SagaState, reply: Payload, ids: Any) -> Transition:
    result = engine.on_reply(
        CHECKOUT, state, reply.message_type, state.awaiting, reply, new_id=ids, now=NOW
    )
    assert isinstance(result, Transition), result
    return result


def charging(order: dict[str, Any], ids: Any) -> SagaState:
    started = engine.start(CHECKOUT, {"order": order}, ids, NOW)
    reserved = InventoryReserved(
        order_id="ord-1", reservation_id="res-1", items=[StockLine(sku="SKU-1", quantity=1)]
    )
    return answer(started.state, reserved, ids).state


def ask(state: SagaState, ids: Any) -> Transition:
    assert state.deadline is not None
    asked = engine.on_deadline(CHECKOUT, state, ids, state.deadline)
    assert isinstance(asked, Transition)
    return asked


def test_unknown_outcome_is_asked_for_until_known_then_the_saga_goes_on(order, ids):
    state = charging(order, ids)
    charge_id = state.awaiting

    unknown = answer(state, UNKNOWN, ids)
    assert unknown.commands == ()
    assert unknown.state.querying
    assert unknown.state.data["payment_id"] == "pay-1"
    first = ask(unknown.state, ids)
    (query,) = first.commands
    assert query.payload.message_type == "CheckPaymentStatus"
    assert query.message_id != charge_id

    still = answer(first.state, UNKNOWN, ids)
    second = ask(still.state, ids)
    assert second.commands[0].payload.message_type == "CheckPaymentStatus"
    assert second.state.data["status_checks"] == 2

    known = answer(
        second.state,
        PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"),
        ids,
    )
    assert not known.state.querying
    assert known.state.status is SagaStatus.RUNNING
    assert [c.payload.message_type for c in known.commands] == ["CreateShipment"]
    sent = [
        c.payload.message_type for t in (unknown, first, still, second, known) for c in t.commands
    ]
    assert "ChargePayment" not in sent  # never a second charge


def test_status_query_that_times_out_is_resent_with_the_same_id(order, ids):
    first = ask(answer(charging(order, ids), UNKNOWN, ids).state, ids)
    resent = ask(first.state, ids)
    assert resent.commands[0].message_id == first.commands[0].message_id
    assert resent.commands[0].payload.message_type == "CheckPaymentStatus"


def test_unknown_outcome_that_turns_out_declined_releases_the_stock(order, ids):
    first = ask(answer(charging(order, ids), UNKNOWN, ids).state, ids)
    declined = answer(
        first.state, PaymentDeclined(order_id="ord-1", code="card_declined", reason="no"), ids
    )
    assert declined.state.status is SagaStatus.COMPENSATING
    assert [c.payload.message_type for c in declined.commands] == ["ReleaseInventory"]


def test_cancel_while_the_outcome_is_unknown_waits_for_it_then_refunds(order, ids):
    unknown = answer(charging(order, ids), UNKNOWN, ids)

    cancelled = engine.cancel(CHECKOUT, unknown.state, "customer called", ids, NOW)
    assert isinstance(cancelled, Transition)
    assert cancelled.commands == ()  # the charge may have happened: find out first
    assert cancelled.state.cancel_reason == "customer called"

    asked = ask(cancelled.state, ids)
    known = answer(
        asked.state,
        PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"),
        ids,
    )
    assert known.state.status is SagaStatus.COMPENSATING
    assert [c.payload.message_type for c in known.commands] == ["RefundPayment"]
