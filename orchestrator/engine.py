"""The saga state machine: pure functions from (definition, state, input, now) to a
transition. Inputs are a reply, a due deadline, or an operator's retry or cancel.

No I/O here. The caller persists the new state, the outgoing commands (outbox), the
domain events and the history entries in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from messaging.contracts import Payload
from orchestrator.definition import RetryPolicy, SagaDefinition, Step


class SagaStatus(StrEnum):
    RUNNING = "running"
    AWAITING_APPROVAL = "awaiting_approval"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    COMPENSATED = "compensated"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED})


class StepStatus(StrEnum):
    PENDING = "pending"
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    COMPENSATING = "compensating"
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"


@dataclass(frozen=True)
class SagaState:
    status: SagaStatus
    current_step: int | None
    steps: tuple[StepStatus, ...]
    data: Mapping[str, Any]
    awaiting: str | None = None  # message id of the command whose reply we wait for
    failure: Mapping[str, str] | None = None  # step, code, reason of the first failure
    error: str | None = None  # why the saga is `failed` (needs an operator)
    attempt: int = 0  # sends of the current command so far
    deadline: datetime | None = None  # when to act if nothing arrives: resend or retry
    cancel_reason: str | None = None  # an operator asked to cancel; applied at the next reply
    querying: bool = False  # the step's outcome is unknown: we ask for it, never redo it


@dataclass(frozen=True)
class OutgoingCommand:
    message_id: str
    service: str
    step: str
    payload: Payload
    compensation: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # started, command_sent, reply_applied, reply_ignored, completed, ...
    step: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    state: SagaState
    commands: tuple[OutgoingCommand, ...] = ()
    events: tuple[Payload, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class Ignored:
    """An input that does not apply to the saga as it is: stale, unexpected or not due."""

    reason: str


IdFactory = Callable[[], str]


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def start(
    definition: SagaDefinition,
    data: Mapping[str, Any],
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition:
    state = SagaState(
        status=SagaStatus.RUNNING,
        current_step=None,
        steps=tuple(StepStatus.PENDING for _ in definition.steps),
        data=dict(data),
    )
    begun = _run_step(definition, state, 0, new_id, _now(now))
    return _prefixed(begun, HistoryEntry("started", None, {}))


def on_reply(
    definition: SagaDefinition,
    state: SagaState,
    reply_type: str,
    causation_id: str | None,
    reply: Payload,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    at = _now(now)
    if state.status.terminal:
        return Ignored(f"saga is already {state.status}")
    if state.current_step is None or causation_id != state.awaiting:
        return Ignored(f"{reply_type} answers {causation_id}, saga waits on {state.awaiting}")
    step = definition.steps[state.current_step]
    applied = HistoryEntry("reply_applied", step.name, {"type": reply_type})
    if state.status is SagaStatus.RUNNING:
        nxt = _forward_reply(definition, state, reply_type, reply, new_id, at)
    elif state.status is SagaStatus.COMPENSATING:
        nxt = _compensation_reply(definition, state, reply_type, reply, new_id, at)
    else:
        nxt = None
    if nxt is None:
        return Ignored(f"{reply_type} is not an expected reply of {step.name} while {state.status}")
    return _prefixed(nxt, applied)


def _forward_reply(
    definition: SagaDefinition,
    state: SagaState,
    reply_type: str,
    reply: Payload,
    new_id: IdFactory,
    at: datetime,
) -> Transition | None:
    assert state.current_step is not None
    index = state.current_step
    step = definition.steps[index]
    if reply_type in step.success_on:
        data = {**state.data, **step.success_on[reply_type](reply)}
        state = _with_step(replace(state, querying=False), index, StepStatus.SUCCEEDED, data=data)
        if state.cancel_reason is not None and step.compensation is not None:
            failure = {"step": step.name, "code": "cancelled", "reason": state.cancel_reason}
            return _compensate_from(definition, _compensating(state, failure), index, new_id, at)
        if state.cancel_reason is not None:  # a step that cannot be undone: go on
            late = HistoryEntry(
                "cancel_too_late", step.name, {"reason": f"{step.name} cannot be undone"}
            )
            state = replace(state, cancel_reason=None)
            return _prefixed(_continue(definition, state, index, new_id, at), late)
        return _continue(definition, state, index, new_id, at)
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
        failure = {
            "step": step.name,
            "code": str(getattr(reply, "code", reply_type)),
            "reason": str(getattr(reply, "reason", reply_type)),
        }
        state = _with_step(replace(state, querying=False), index, StepStatus.FAILED)
        return _compensate_from(definition, _compensating(state, failure), index - 1, new_id, at)
    return None


def _compensation_reply(
    definition: SagaDefinition,
    state: SagaState,
    reply_type: str,
    reply: Payload,
    new_id: IdFactory,
    at: datetime,
) -> Transition | None:
    assert state.current_step is not None
    index = state.current_step
    step = definition.steps[index]
    compensation = step.compensation
    if compensation is None:
        return None
    if reply_type in compensation.done_on:
        state = _with_step(state, index, StepStatus.COMPENSATED)
        return _compensate_from(definition, state, index - 1, new_id, at)
    if reply_type not in compensation.failed_on:
        return None
    reason = f"{getattr(reply, 'code', reply_type)}: {getattr(reply, 'reason', '')}"
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
    state = _failed(_with_step(state, index, StepStatus.COMPENSATION_FAILED), error)
    return Transition(state, history=(HistoryEntry("failed", step.name, {"error": error}),))


def on_deadline(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, now: datetime | None = None
) -> Transition | Ignored:
    """Nothing arrived in time: resend the same command, retry a failed compensation, or
    give up as the step's policy says."""
    at = _now(now)
    if state.status.terminal or state.deadline is None or state.current_step is None:
        return Ignored("no deadline")
    if at < state.deadline:
        return Ignored(f"deadline {state.deadline.isoformat()} not due")
    if state.status is SagaStatus.AWAITING_APPROVAL:
        return decide(definition, state, False, "no decision before the deadline", new_id, at)
    index = state.current_step
    step = definition.steps[index]
    compensating = state.status is SagaStatus.COMPENSATING
    policy = _policy(step, compensating)
    if state.awaiting is None and state.querying:  # time to ask for the unknown outcome
        return _send(definition, state, index, new_id, at, compensation=False, retry=False)
    if state.awaiting is None:  # a failed compensation's retry is due: a new command
        return _send(definition, state, index, new_id, at, compensation=True, retry=True)
    if state.attempt < policy.max_attempts:
        command = _command(step, _payload(step, state, compensating), state.awaiting, compensating)
        attempt = state.attempt + 1
        deadline = at + timedelta(seconds=policy.timeout_for(attempt))
        state = replace(state, attempt=attempt, deadline=deadline)
        detail = {
            "type": command.payload.message_type,
            "message_id": command.message_id,
            "attempt": attempt,
            "reason": f"no reply after {policy.timeout_for(attempt - 1):g}s",
        }
        return Transition(
            state, (command,), history=(HistoryEntry("command_resent", step.name, detail),)
        )
    reason = f"no reply from {step.service} to {step.name} after {state.attempt} attempts"
    if compensating or step.on_exhausted == "fail":
        state = _failed(_with_step(state, index, StepStatus.TIMED_OUT), reason)
        return Transition(state, history=(HistoryEntry("failed", step.name, {"error": reason}),))
    failure = {"step": step.name, "code": "timeout", "reason": reason}
    state = _compensating(_with_step(state, index, StepStatus.TIMED_OUT), failure)
    nxt = _compensate_from(definition, state, index - 1, new_id, at)
    return _prefixed(nxt, HistoryEntry("timed_out", step.name, {"reason": reason}))


def retry(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, now: datetime | None = None
) -> Transition | Ignored:
    """An operator fixed the cause: resume a `failed` saga from the step that failed."""
    at = _now(now)
    if state.status is not SagaStatus.FAILED or state.current_step is None:
        return Ignored(f"only a failed saga can be retried; this one is {state.status}")
    index = state.current_step
    step_status = state.steps[index]
    resumed = replace(state, error=None, attempt=0)
    if step_status is StepStatus.COMPENSATION_FAILED:  # same failure again under the same id
        resumed = _with_step(
            replace(resumed, status=SagaStatus.COMPENSATING), index, StepStatus.COMPENSATING
        )
        nxt = _send(definition, resumed, index, new_id, at, compensation=True, retry=False)
    elif step_status is StepStatus.TIMED_OUT and state.failure is not None and state.awaiting:
        resumed = _with_step(
            replace(resumed, status=SagaStatus.COMPENSATING), index, StepStatus.COMPENSATING
        )
        nxt = _resend(definition, resumed, index, at, compensation=True)
    elif step_status is StepStatus.TIMED_OUT and state.awaiting:
        resumed = _with_step(replace(resumed, status=SagaStatus.RUNNING), index, StepStatus.RUNNING)
        nxt = _resend(definition, resumed, index, at, compensation=False)
    else:
        return Ignored(f"nothing to retry at {definition.steps[index].name} ({step_status})")
    return _prefixed(nxt, HistoryEntry("retried_by_operator", definition.steps[index].name, {}))


def decide(
    definition: SagaDefinition,
    state: SagaState,
    approved: bool,
    reason: str,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    """A reviewer approves (the step's command goes out) or rejects (undo what committed)."""
    at = _now(now)
    if state.status is not SagaStatus.AWAITING_APPROVAL or state.current_step is None:
        return Ignored(f"the saga is {state.status}, not awaiting approval")
    index = state.current_step
    step = definition.steps[index]
    if approved:
        state = _with_step(replace(state, status=SagaStatus.RUNNING), index, StepStatus.RUNNING)
        nxt = _send(definition, state, index, new_id, at, compensation=False, retry=False)
        return _prefixed(nxt, HistoryEntry("approved", step.name, {"by": reason}))
    failure = {"step": step.name, "code": "rejected", "reason": reason}
    state = _with_step(state, index, StepStatus.FAILED)
    nxt = _compensate_from(definition, _compensating(state, failure), index - 1, new_id, at)
    return _prefixed(nxt, HistoryEntry("rejected", step.name, {"reason": reason}))


def cancel(
    definition: SagaDefinition,
    state: SagaState,
    reason: str,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    """An operator cancels a running saga: undo what committed. A command in flight is
    let finish (its reply decides whether its step needs undoing too)."""
    at = _now(now)
    if state.status is SagaStatus.AWAITING_APPROVAL:
        return decide(definition, state, False, reason, new_id, at)
    if state.status is not SagaStatus.RUNNING:
        return Ignored(f"only a running saga can be cancelled; this one is {state.status}")
    entry = HistoryEntry("cancel_requested", None, {"reason": reason})
    if state.awaiting is not None or state.querying:  # wait for what is in flight or unknown
        return Transition(replace(state, cancel_reason=reason), history=(entry,))
    index = state.current_step if state.current_step is not None else 0
    failure = {"step": definition.steps[index].name, "code": "cancelled", "reason": reason}
    nxt = _compensate_from(definition, _compensating(state, failure), index - 1, new_id, at)
    return _prefixed(nxt, entry)


def _continue(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    if index + 1 < len(definition.steps):
        return _run_step(definition, state, index + 1, new_id, at)
    return _complete(definition, state)


def _prefixed(transition: Transition, entry: HistoryEntry) -> Transition:
    return replace(transition, history=(entry, *transition.history))


def _policy(step: Step, compensating: bool) -> RetryPolicy:
    if compensating and step.compensation is not None:
        return step.compensation.policy
    return step.policy


def _payload(step: Step, state: SagaState, compensating: bool) -> Payload:
    if compensating:
        assert step.compensation is not None
        return step.compensation.command(state.data)
    if state.querying:
        assert step.status_query is not None
        return step.status_query(state.data)
    return step.command(state.data)


def _with_step(
    state: SagaState, index: int, status: StepStatus, data: Mapping[str, Any] | None = None
) -> SagaState:
    steps = list(state.steps)
    steps[index] = status
    return replace(state, steps=tuple(steps), data=state.data if data is None else data)


def _compensating(state: SagaState, failure: Mapping[str, str]) -> SagaState:
    return replace(state, status=SagaStatus.COMPENSATING, failure=state.failure or failure)


def _failed(state: SagaState, error: str) -> SagaState:
    return replace(state, status=SagaStatus.FAILED, error=error, deadline=None)


def _send(
    definition: SagaDefinition,
    state: SagaState,
    index: int,
    new_id: IdFactory,
    at: datetime,
    *,
    compensation: bool,
    retry: bool,
) -> Transition:
    """Send the step's command (or its compensation) under a new message id."""
    step = definition.steps[index]
    command = _command(step, _payload(step, state, compensation), new_id(), compensation)
    attempt = state.attempt + 1 if retry else 1
    policy = _policy(step, compensation)
    state = replace(
        state,
        current_step=index,
        awaiting=command.message_id,
        attempt=attempt,
        deadline=at + timedelta(seconds=policy.timeout_for(1)),
    )
    return Transition(state, commands=(command,), history=(_sent(command, attempt),))


def _resend(
    definition: SagaDefinition, state: SagaState, index: int, at: datetime, *, compensation: bool
) -> Transition:
    """Send the awaited command again under its own message id (idempotent receivers)."""
    step = definition.steps[index]
    assert state.awaiting is not None
    command = _command(step, _payload(step, state, compensation), state.awaiting, compensation)
    policy = _policy(step, compensation)
    state = replace(state, attempt=1, deadline=at + timedelta(seconds=policy.timeout_for(1)))
    return Transition(state, commands=(command,), history=(_sent(command, 1),))


def _run_step(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    approval = definition.steps[index].approval
    if approval is not None and approval.needed(state.data):
        state = _with_step(state, index, StepStatus.AWAITING_APPROVAL)
        state = replace(
            state,
            status=SagaStatus.AWAITING_APPROVAL,
            current_step=index,
            awaiting=None,
            attempt=0,
            deadline=at + timedelta(seconds=approval.timeout),
        )
        entry = HistoryEntry("awaiting_approval", definition.steps[index].name, {})
        return Transition(state, history=(entry,))
    state = _with_step(state, index, StepStatus.RUNNING)
    return _send(definition, state, index, new_id, at, compensation=False, retry=False)


def _compensate_from(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """Undo, in reverse order, every committed step at or before ``index``."""
    for i in range(index, -1, -1):
        step = definition.steps[i]
        if state.steps[i] is StepStatus.SUCCEEDED and step.compensation is not None:
            state = _with_step(state, i, StepStatus.COMPENSATING)
            return _send(definition, state, i, new_id, at, compensation=True, retry=False)
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


def _complete(definition: SagaDefinition, state: SagaState) -> Transition:
    state = replace(
        state, status=SagaStatus.COMPLETED, current_step=None, awaiting=None, deadline=None
    )
    event = definition.on_completed(state.data, {})
    return Transition(
        state, events=() if event is None else (event,), history=(HistoryEntry("completed", None),)
    )


def _command(step: Step, payload: Payload, message_id: str, compensation: bool) -> OutgoingCommand:
    return OutgoingCommand(message_id, step.service, step.name, payload, compensation)


def _sent(command: OutgoingCommand, attempt: int) -> HistoryEntry:
    kind = "compensation_sent" if command.compensation else "command_sent"
    detail = {"type": command.payload.message_type, "message_id": command.message_id}
    if attempt > 1:
        detail["attempt"] = str(attempt)
    return HistoryEntry(kind, command.step, detail)
