"""Operator actions on the saga state machine: retry a failed saga from the step that
failed, cancel a running one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.contracts.payment import PaymentCharged, PaymentRefunded, PaymentRefundFailed
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import ShipmentFailed
from orchestrator import engine
from orchestrator.engine import Ignored, SagaState, StepStatus, Transition
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from sagas.checkout.version_1 import COMPENSATION_POLICY, STEP_POLICY
from tests.unit.saga_builders import IdFactory, applied

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def answer(state: SagaState, reply: Payload, new_id: IdFactory) -> SagaState:
    return applied(CHECKOUT, state, reply, state.awaiting, new_id, now=NOW).state


def due(state: SagaState, new_id: IdFactory) -> Transition:
    assert state.deadline is not None
    result = engine.on_deadline(CHECKOUT, state, new_id, state.deadline + timedelta(seconds=1))
    assert isinstance(result, Transition), result
    return result


def shipping(order: dict[str, Any], new_id: IdFactory) -> SagaState:
    state = engine.start(CHECKOUT, {"order": order}, new_id, now=NOW).state
    state = answer(
        state,
        InventoryReserved(order_id="o", reservation_id="r", items=[StockLine(sku="S", quantity=1)]),
        new_id,
    )
    return answer(
        state, PaymentCharged(order_id="o", payment_id="p", amount_cents=1, currency="EUR"), new_id
    )


def test_retry_after_a_refund_kept_failing_sends_a_new_refund(order, new_id):
    state = answer(
        shipping(order, new_id), ShipmentFailed(order_id="o", code="x", reason="y"), new_id
    )
    refused = PaymentRefundFailed(order_id="o", payment_id="p", code="processor_error", reason="z")
    for _ in range(COMPENSATION_POLICY.max_attempts - 1):
        state = answer(state, refused, new_id)  # refused: a retry is scheduled
        state = due(state, new_id).state  # the retry goes out under a new id
    state = answer(state, refused, new_id)  # the last attempt: the saga fails
    assert state.status is SagaStatus.FAILED
    last_refund = state.awaiting

    retried = engine.retry(CHECKOUT, state, new_id, now=NOW)

    assert isinstance(retried, Transition)
    assert retried.state.status is SagaStatus.COMPENSATING
    (refund,) = retried.commands
    assert refund.payload.message_type == "RefundPayment"
    assert refund.message_id != last_refund  # the old id would get the stored failure again
    done = answer(
        retried.state,
        PaymentRefunded(order_id="o", payment_id="p", refund_id="re", amount_cents=1),
        new_id,
    )
    assert done.steps[1] is StepStatus.COMPENSATED
    assert done.status is SagaStatus.COMPENSATING  # release is next


def test_retry_after_a_timeout_resends_the_same_command(order, new_id):
    state = shipping(order, new_id)
    ship_id = state.awaiting
    for _ in range(STEP_POLICY.max_attempts):
        state = due(state, new_id).state
    assert state.status is SagaStatus.FAILED
    assert state.steps[2] is StepStatus.TIMED_OUT

    retried = engine.retry(CHECKOUT, state, new_id, now=NOW)

    assert isinstance(retried, Transition)
    assert retried.state.status is SagaStatus.RUNNING
    assert [c.message_id for c in retried.commands] == [ship_id]


def test_only_failed_sagas_are_retried_and_only_running_ones_cancelled(order, new_id):
    state = shipping(order, new_id)
    assert isinstance(engine.retry(CHECKOUT, state, new_id, now=NOW), Ignored)
    cancelled = engine.cancel(CHECKOUT, state, "r", new_id, now=NOW)
    assert isinstance(cancelled, Transition)
    assert cancelled.commands == ()  # the shipment in flight answers first
    assert isinstance(
        engine.cancel(CHECKOUT, cancelled.state, "again", new_id, now=NOW), Transition
    )
