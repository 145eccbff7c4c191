"""What people decide: an operator's retry of a failed saga or cancel of a running one,
and a reviewer's approval or rejection of a step awaiting it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import SagaDefinition

from .commands import resend, send
from .compensation import compensate
from .stages import resend_flights
from .state import SagaState, StepStatus, compensating, with_step
from .transition import HistoryEntry, IdFactory, Ignored, Transition, now_or, prefixed


def retry(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, now: datetime | None = None
) -> Transition | Ignored:
    """An operator fixed the cause: resume a `failed` saga from the step that failed."""
    at = now_or(now)
    if state.status is not SagaStatus.FAILED or state.current_step is None:
        return Ignored(f"only a failed saga can be retried; this one is {state.status}")
    index = state.current_step
    if state.flights:
        nxt = resend_flights(definition, replace(state, error=None), at)
        return prefixed(nxt, HistoryEntry("retried_by_operator", definition.steps[index].name, {}))
    step_status = state.steps[index]
    resumed = replace(state, error=None, attempt=0)
    if step_status is StepStatus.COMPENSATION_FAILED:  # same failure again under the same id
        resumed = with_step(
            replace(resumed, status=SagaStatus.COMPENSATING), index, StepStatus.COMPENSATING
        )
        nxt = send(definition, resumed, index, new_id, at, compensation=True, retry=False)
    elif step_status is StepStatus.TIMED_OUT and state.failure is not None and state.awaiting:
        resumed = with_step(
            replace(resumed, status=SagaStatus.COMPENSATING), index, StepStatus.COMPENSATING
        )
        nxt = resend(definition, resumed, index, at, compensation=True)
    elif step_status is StepStatus.TIMED_OUT and state.awaiting:
        resumed = with_step(replace(resumed, status=SagaStatus.RUNNING), index, StepStatus.RUNNING)
        nxt = resend(definition, resumed, index, at, compensation=False)
    else:
        return Ignored(f"nothing to retry at {definition.steps[index].name} ({step_status})")
    return prefixed(nxt, HistoryEntry("retried_by_operator", definition.steps[index].name, {}))


def decide(
    definition: SagaDefinition,
    state: SagaState,
    *,
    approved: bool,
    reason: str,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    """A reviewer approves (the step's command goes out) or rejects (undo what committed)."""
    at = now_or(now)
    if state.status is not SagaStatus.AWAITING_APPROVAL or state.current_step is None:
        return Ignored(f"the saga is {state.status}, not awaiting approval")
    index = state.current_step
    step = definition.steps[index]
    if approved:
        state = with_step(replace(state, status=SagaStatus.RUNNING), index, StepStatus.RUNNING)
        nxt = send(definition, state, index, new_id, at, compensation=False, retry=False)
        return prefixed(nxt, HistoryEntry("approved", step.name, {"by": reason}))
    failure = {"step": step.name, "code": "rejected", "reason": reason}
    state = with_step(state, index, StepStatus.FAILED)
    nxt = compensate(definition, compensating(state, failure), new_id, at)
    return prefixed(nxt, HistoryEntry("rejected", step.name, {"reason": reason}))


def cancel(
    definition: SagaDefinition,
    state: SagaState,
    reason: str,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    """An operator cancels a running saga: undo what committed. Commands in flight are
    let finish (their replies decide whether their steps need undoing too)."""
    at = now_or(now)
    if state.status is SagaStatus.AWAITING_APPROVAL:
        return decide(definition, state, approved=False, reason=reason, new_id=new_id, now=at)
    if state.status is not SagaStatus.RUNNING:
        return Ignored(f"only a running saga can be cancelled; this one is {state.status}")
    entry = HistoryEntry("cancel_requested", None, {"reason": reason})
    if state.awaiting is not None or state.querying or state.flights:  # in flight or unknown
        return Transition(replace(state, cancel_reason=reason), history=(entry,))
    index = state.current_step if state.current_step is not None else 0
    failure = {"step": definition.steps[index].name, "code": "cancelled", "reason": reason}
    nxt = compensate(definition, compensating(state, failure), new_id, at)
    return prefixed(nxt, entry)
