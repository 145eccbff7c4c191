"""A participant's reply: to the step alone the saga waits on, to one member of a parallel
stage, or to a compensation; a reply to anything else is ignored (stale or duplicate)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from messaging.contracts import Payload
from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import SagaDefinition, Step

from .compensation import compensate, compensation_reply
from .stages import go_on, settle
from .state import Flight, SagaState, StepStatus, compensating, with_step
from .transition import HistoryEntry, IdFactory, Ignored, Reply, Transition, now_or, prefixed


def on_reply(
    definition: SagaDefinition,
    state: SagaState,
    reply_type: str,
    causation_id: str | None,
    reply: Payload,
    *,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    at = now_or(now)
    if state.status.terminal:
        return Ignored(f"saga is already {state.status}")
    flight = next((f for f in state.flights if f.message_id == causation_id), None)
    answer = Reply(reply_type, reply)
    if flight is not None:
        return _member_reply(definition, state, flight, answer, new_id=new_id, at=at)
    if state.current_step is None or state.awaiting is None or causation_id != state.awaiting:
        return Ignored(f"{reply_type} answers {causation_id}, saga waits on {_waits_on(state)}")
    step = definition.steps[state.current_step]
    applied = HistoryEntry("reply_applied", step.name, {"type": reply_type})
    if state.status is SagaStatus.RUNNING:
        nxt = _forward_reply(definition, state, answer, new_id=new_id, at=at)
    elif state.status is SagaStatus.COMPENSATING:
        nxt = compensation_reply(definition, state, answer, new_id=new_id, at=at)
    else:
        nxt = None
    if nxt is None:
        return Ignored(f"{reply_type} is not an expected reply of {step.name} while {state.status}")
    return prefixed(nxt, applied)


def _waits_on(state: SagaState) -> str | None:
    if state.flights:
        return ", ".join(f.message_id for f in state.flights)
    return state.awaiting


def _forward_reply(
    definition: SagaDefinition, state: SagaState, answer: Reply, *, new_id: IdFactory, at: datetime
) -> Transition | None:
    assert state.current_step is not None
    index = state.current_step
    step = definition.steps[index]
    reply_type, reply = answer.type, answer.payload
    if reply_type in step.success_on:
        state = _succeeded(replace(state, querying=False), step, index, reply_type, reply)
        return go_on(definition, state, index, new_id, at)
    if reply_type in step.unknown_on:
        data = {**state.data, **step.unknown_on[reply_type](reply)}
        checks = int(data.get("status_checks", 0))
        delay = min(step.policy.delay_after(checks + 1), step.policy.timeout)
        state = replace(
            state,
            data={**data, "status_checks": checks + 1},
            querying=True,
            awaiting=None,
            attempt=0,
            deadline=at + timedelta(seconds=delay),
        )
        detail = {"reason": str(getattr(reply, "reason", "")), "check_in_seconds": round(delay, 3)}
        return Transition(state, history=(HistoryEntry("outcome_unknown", step.name, detail),))
    if reply_type in step.failure_on:
        failure = _failure_of(step, reply_type, reply)
        state = with_step(replace(state, querying=False), index, StepStatus.FAILED)
        return compensate(definition, compensating(state, failure), new_id, at)
    return None


def _member_reply(
    definition: SagaDefinition,
    state: SagaState,
    flight: Flight,
    answer: Reply,
    *,
    new_id: IdFactory,
    at: datetime,
) -> Transition | Ignored:
    """A reply to one member of a parallel stage. A failure turns the saga to compensating
    (the first failure is the saga's), but nothing is undone while members are in flight:
    each one's outcome, success or failure, is recorded as it comes."""
    index = flight.step
    step = definition.steps[index]
    reply_type, reply = answer.type, answer.payload
    if reply_type in step.success_on:
        state = _succeeded(state, step, index, reply_type, reply)
    elif reply_type in step.failure_on:
        failure = _failure_of(step, reply_type, reply)
        state = compensating(with_step(state, index, StepStatus.FAILED), failure)
    else:
        return Ignored(f"{reply_type} is not an expected reply of {step.name} while {state.status}")
    state = replace(state, flights=tuple(f for f in state.flights if f != flight))
    nxt = settle(definition, state, index, new_id, at)
    return prefixed(nxt, HistoryEntry("reply_applied", step.name, {"type": reply_type}))


def _succeeded(
    state: SagaState, step: Step, index: int, reply_type: str, reply: Payload
) -> SagaState:
    data = {**state.data, **step.success_on[reply_type](reply)}
    state = with_step(state, index, StepStatus.SUCCEEDED, data=data)
    return replace(state, completed=(*state.completed, index))


def _failure_of(step: Step, reply_type: str, reply: Payload) -> dict[str, str]:
    return {
        "step": step.name,
        "code": str(getattr(reply, "code", reply_type)),
        "reason": str(getattr(reply, "reason", reply_type)),
    }
