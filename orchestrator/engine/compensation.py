"""Undoing what committed: each committed step's compensation, one at a time, the last to
succeed first, each awaited like a step (retried on failure as its policy says)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import SagaDefinition

from .commands import send
from .state import SagaState, StepStatus, failed, with_step
from .transition import HistoryEntry, IdFactory, Reply, Transition


def compensate(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, at: datetime
) -> Transition:
    """Undo every committed step, one at a time, the last committed first."""
    for i in undo_order(state):
        step = definition.steps[i]
        if state.steps[i] is StepStatus.SUCCEEDED and step.compensation is not None:
            state = with_step(state, i, StepStatus.COMPENSATING)
            return send(definition, state, i, new_id, at, compensation=True, retry=False)
    failure = state.failure or {}
    state = replace(
        state, status=SagaStatus.COMPENSATED, current_step=None, awaiting=None, deadline=None
    )
    event = definition.on_compensated(state.data, failure)
    return Transition(
        state,
        events=() if event is None else (event,),
        history=(HistoryEntry("compensated", None, dict(failure)),),
    )


def undo_order(state: SagaState) -> list[int]:
    """Step indexes, newest commit first. Steps missing from ``completed`` (committed
    before a release that recorded it) committed before all of it: last, by index."""
    recorded = list(reversed(state.completed))
    older = [i for i in reversed(range(len(state.steps))) if i not in recorded]
    return recorded + older


def compensation_reply(
    definition: SagaDefinition, state: SagaState, reply: Reply, *, new_id: IdFactory, at: datetime
) -> Transition | None:
    """The awaited compensation answered: undo the next step, schedule a retry of this
    one, or stop for an operator once its attempts are spent."""
    assert state.current_step is not None
    index = state.current_step
    step = definition.steps[index]
    compensation = step.compensation
    if compensation is None:
        return None
    if reply.type in compensation.done_on:
        state = with_step(state, index, StepStatus.COMPENSATED)
        return compensate(definition, state, new_id, at)
    if reply.type not in compensation.failed_on:
        return None
    payload = reply.payload
    reason = f"{getattr(payload, 'code', reply.type)}: {getattr(payload, 'reason', '')}"
    if state.attempt < compensation.policy.max_attempts:
        delay = compensation.policy.delay_after(state.attempt)
        state = replace(state, awaiting=None, deadline=at + timedelta(seconds=delay))
        retry = HistoryEntry(
            "compensation_retry_scheduled",
            step.name,
            {"attempt": state.attempt, "in_seconds": round(delay, 3), "reason": reason},
        )
        return Transition(state, history=(retry,))
    error = f"compensation of {step.name} failed after {state.attempt} attempts: {reason}"
    state = failed(with_step(state, index, StepStatus.COMPENSATION_FAILED), error)
    return Transition(state, history=(HistoryEntry("failed", step.name, {"error": error}),))
