"""Operator actions on the saga state machine: retry a failed saga from the step that
failed, cancel a running one."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.contracts.payment import PaymentCharged, PaymentRefunded, PaymentRefundFailed
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import ShipmentFailed
from orchestrator import engine
from orchestrator.engine import Ignored, SagaState, StepStatus, Transition
from sagas.checkout.definition import CHECKOUT, COMPENSATION_POLICY, STEP_POLICY

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"cmd-{next(counter)}"


def answer(state: SagaState, reply: Payload, ids: Any) -> SagaState:
    result = engine.on_reply(
        CHECKOUT, state, reply.message_type, state.awaiting, reply, new_id=ids, now=NOW
    )
    assert isinstance(result, Transition), result
    return result.state


def due(state: SagaState, ids: Any) -> Transition:
    assert state.deadline is not None
    result = engine.on_deadline(CHECKOUT, state, ids, state.deadline + timedelta(seconds=1))
    assert isinstance(result, Transition), result
    return result


def shipping(order: dict[str, Any], ids: Any) -> SagaState:
    state = engine.start(CHECKOUT, {"order": order}, ids, NOW).state
    state = answer(
        state,
        InventoryReserved(order_id="o", reservation_id="r", items=[StockLine(sku="S", quantity=1)]),
        ids,
    )
    return answer(
        state, PaymentCharged(order_id="o", payment_id="p", amount_cents=1, currency="EUR"), ids
    )


def test_retry_after_a_refund_kept_failing_sends_a_new_refund(order, ids):
    state = answer(shipping(order, ids), ShipmentFailed(order_id="o", code="x", reason="y"), ids)
    refused = PaymentRefundFailed(order_id="o", payment_id="p", code="processor_error", reason="z")
    for _ in range(COMPENSATION_POLICY.max_attempts - 1):
        state = answer(state, refused, ids)  # refused: a retry is scheduled
        state = due(state, ids).state  # the retry goes out under a new id
    state = answer(state, refused, ids)  # the last attempt: the saga fails
    assert state.status is SagaStatus.FAILED
    last_refund = state.awaiting

    retried = engine.retry(CHECKOUT, state, ids, NOW)

    assert isinstance(retried, Transition)
    assert retried.state.status is SagaStatus.COMPENSATING
    (refund,) = retried.commands
    assert refund.payload.message_type == "RefundPayment"
    assert refund.message_id != last_refund  # the old id would get the stored failure again
    done = answer(
        retried.state,
        PaymentRefunded(order_id="o", payment_id="p", refund_id="re", amount_cents=1),
        ids,
    )
    assert done.steps[1] is StepStatus.COMPENSATED
    assert done.status is SagaStatus.COMPENSATING  # release is next


def test_retry_after_a_timeout_resends_the_same_command(order, ids):
    state = shipping(order, ids)
    ship_id = state.awaiting
    for _ in range(STEP_POLICY.max_attempts):
        state = due(state, ids).state
    assert state.status is SagaStatus.FAILED
    assert state.steps[2] is StepStatus.TIMED_OUT

    retried = engine.retry(CHECKOUT, state, ids, NOW)

    assert isinstance(retried, Transition)
    assert retried.state.status is SagaStatus.RUNNING
    assert [c.message_id for c in retried.commands] == [ship_id]


def test_only_failed_sagas_are_retried_and_only_running_ones_cancelled(order, ids):
    state = shipping(order, ids)
    assert isinstance(engine.retry(CHECKOUT, state, ids, NOW), Ignored)
    cancelled = engine.cancel(CHECKOUT, state, "r", ids, NOW)
    assert isinstance(cancelled, Transition)
    assert cancelled.commands == ()  # the shipment in flight answers first
    assert isinstance(engine.cancel(CHECKOUT, cancelled.state, "again", ids, NOW), Transition)
