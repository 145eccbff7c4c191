"""The saga state machine: pure functions from (definition, state, input, now) to a
transition. Inputs are a reply, a due deadline, or an operator's retry or cancel.

Steps run in stages (``SagaDefinition.stages``): a step alone, awaited through the scalar
fields of the state, or a group whose commands are all in flight at once, one ``Flight``
each. A group goes on when every member has answered; a failure in it is undone only then,
because a member still in flight may yet commit.

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
from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import RetryPolicy, SagaDefinition, Step


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
class Flight:
    """One member's command of a parallel stage, in flight: each member has its own
    message id, attempts and deadline, as a step alone has in the saga's scalar fields."""

    step: int
    message_id: str
    attempt: int
    deadline: datetime


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
    # A parallel stage's commands in flight (then awaiting is None, current_step is the
    # stage's first step and deadline the earliest of theirs); kept, unanswered, when a
    # member's timeout fails the saga, so that a retry sends them again.
    flights: tuple[Flight, ...] = ()
    # Step indexes in the order their success replies were applied: undone in reverse.
    completed: tuple[int, ...] = ()


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
    begun = _run_stage(definition, state, 0, new_id, _now(now))
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
    flight = next((f for f in state.flights if f.message_id == causation_id), None)
    if flight is not None:
        return _member_reply(definition, state, flight, reply_type, reply, new_id, at)
    if state.current_step is None or state.awaiting is None or causation_id != state.awaiting:
        return Ignored(f"{reply_type} answers {causation_id}, saga waits on {_waits_on(state)}")
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
        state = _succeeded(replace(state, querying=False), step, index, reply_type, reply)
        return _go_on(definition, state, index, new_id, at)
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
        state = _with_step(replace(state, querying=False), index, StepStatus.FAILED)
        return _compensate(definition, _compensating(state, failure), new_id, at)
    return None


def _member_reply(
    definition: SagaDefinition,
    state: SagaState,
    flight: Flight,
    reply_type: str,
    reply: Payload,
    new_id: IdFactory,
    at: datetime,
) -> Transition | Ignored:
    """A reply to one member of a parallel stage. A failure turns the saga to compensating
    (the first failure is the saga's), but nothing is undone while members are in flight:
    each one's outcome, success or failure, is recorded as it comes."""
    index = flight.step
    step = definition.steps[index]
    if reply_type in step.success_on:
        state = _succeeded(state, step, index, reply_type, reply)
    elif reply_type in step.failure_on:
        failure = _failure_of(step, reply_type, reply)
        state = _compensating(_with_step(state, index, StepStatus.FAILED), failure)
    else:
        return Ignored(f"{reply_type} is not an expected reply of {step.name} while {state.status}")
    state = replace(state, flights=tuple(f for f in state.flights if f != flight))
    nxt = _settle(definition, state, index, new_id, at)
    return _prefixed(nxt, HistoryEntry("reply_applied", step.name, {"type": reply_type}))


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
        return _compensate(definition, state, new_id, at)
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
    if state.flights:
        return _flights_due(definition, state, new_id, at)
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
        return Transition(state, (command,), history=(_resent(command, attempt, policy),))
    reason = _no_reply(step, state.attempt)
    if compensating or step.on_exhausted == "fail":
        state = _failed(_with_step(state, index, StepStatus.TIMED_OUT), reason)
        return Transition(state, history=(HistoryEntry("failed", step.name, {"error": reason}),))
    failure = {"step": step.name, "code": "timeout", "reason": reason}
    state = _compensating(_with_step(state, index, StepStatus.TIMED_OUT), failure)
    nxt = _compensate(definition, state, new_id, at)
    return _prefixed(nxt, HistoryEntry("timed_out", step.name, {"reason": reason}))


def _flights_due(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, at: datetime
) -> Transition:
    """A parallel stage's earliest deadline passed: resend each overdue member under its
    own id, or give it up as its step says. One member out of attempts with "fail" fails
    the saga at once, before anything is resent."""
    first = state.flights[0].step
    due = [f for f in state.flights if f.deadline <= at]
    spent = [f for f in due if f.attempt >= definition.steps[f.step].policy.max_attempts]
    fatal = [f for f in spent if definition.steps[f.step].on_exhausted == "fail"]
    if fatal:
        return _group_failed(definition, state, fatal)
    flights: list[Flight] = []
    commands: list[OutgoingCommand] = []
    history: list[HistoryEntry] = []
    for flight in state.flights:
        step = definition.steps[flight.step]
        if flight not in due:
            flights.append(flight)
        elif flight not in spent:
            attempt = flight.attempt + 1
            deadline = at + timedelta(seconds=step.policy.timeout_for(attempt))
            flights.append(replace(flight, attempt=attempt, deadline=deadline))
            commands.append(_command(step, step.command(state.data), flight.message_id, False))
            history.append(_resent(commands[-1], attempt, step.policy))
        else:  # out of attempts, and the step says "compensate": a failure
            reason = _no_reply(step, flight.attempt)
            failure = {"step": step.name, "code": "timeout", "reason": reason}
            state = _compensating(_with_step(state, flight.step, StepStatus.TIMED_OUT), failure)
            history.append(HistoryEntry("timed_out", step.name, {"reason": reason}))
    nxt = _settle(definition, replace(state, flights=tuple(flights)), first, new_id, at)
    return replace(nxt, commands=(*commands, *nxt.commands), history=(*history, *nxt.history))


def _group_failed(definition: SagaDefinition, state: SagaState, fatal: list[Flight]) -> Transition:
    """Members out of attempts whose steps say "fail": the saga stops for an operator.
    Every flight is kept, unanswered: their replies are ignored while the saga is failed,
    and a retry sends each again under its own id (the receivers are idempotent)."""
    history = []
    for flight in fatal:
        step = definition.steps[flight.step]
        state = _with_step(state, flight.step, StepStatus.TIMED_OUT)
        history.append(
            HistoryEntry("failed", step.name, {"error": _no_reply(step, flight.attempt)})
        )
    error = "; ".join(entry.detail["error"] for entry in history)
    return Transition(_failed(state, error), history=tuple(history))


def _no_reply(step: Step, attempts: int) -> str:
    return f"no reply from {step.service} to {step.name} after {attempts} attempts"


def retry(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, now: datetime | None = None
) -> Transition | Ignored:
    """An operator fixed the cause: resume a `failed` saga from the step that failed."""
    at = _now(now)
    if state.status is not SagaStatus.FAILED or state.current_step is None:
        return Ignored(f"only a failed saga can be retried; this one is {state.status}")
    index = state.current_step
    if state.flights:
        nxt = _resend_flights(definition, replace(state, error=None), at)
        return _prefixed(nxt, HistoryEntry("retried_by_operator", definition.steps[index].name, {}))
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
    nxt = _compensate(definition, _compensating(state, failure), new_id, at)
    return _prefixed(nxt, HistoryEntry("rejected", step.name, {"reason": reason}))


def cancel(
    definition: SagaDefinition,
    state: SagaState,
    reason: str,
    new_id: IdFactory,
    now: datetime | None = None,
) -> Transition | Ignored:
    """An operator cancels a running saga: undo what committed. Commands in flight are
    let finish (their replies decide whether their steps need undoing too)."""
    at = _now(now)
    if state.status is SagaStatus.AWAITING_APPROVAL:
        return decide(definition, state, False, reason, new_id, at)
    if state.status is not SagaStatus.RUNNING:
        return Ignored(f"only a running saga can be cancelled; this one is {state.status}")
    entry = HistoryEntry("cancel_requested", None, {"reason": reason})
    if state.awaiting is not None or state.querying or state.flights:  # in flight or unknown
        return Transition(replace(state, cancel_reason=reason), history=(entry,))
    index = state.current_step if state.current_step is not None else 0
    failure = {"step": definition.steps[index].name, "code": "cancelled", "reason": reason}
    nxt = _compensate(definition, _compensating(state, failure), new_id, at)
    return _prefixed(nxt, entry)


def _succeeded(
    state: SagaState, step: Step, index: int, reply_type: str, reply: Payload
) -> SagaState:
    data = {**state.data, **step.success_on[reply_type](reply)}
    state = _with_step(state, index, StepStatus.SUCCEEDED, data=data)
    return replace(state, completed=(*state.completed, index))


def _failure_of(step: Step, reply_type: str, reply: Payload) -> dict[str, str]:
    return {
        "step": step.name,
        "code": str(getattr(reply, "code", reply_type)),
        "reason": str(getattr(reply, "reason", reply_type)),
    }


def _settle(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """A member of a parallel stage has its outcome (``index``): wait for the others; once
    none is in flight, undo what committed after a failure, or go on."""
    if state.flights:
        return Transition(_in_flight(state, state.flights))
    state = replace(state, deadline=None)
    if state.status is SagaStatus.COMPENSATING:
        return _compensate(definition, state, new_id, at)
    return _go_on(definition, state, index, new_id, at)


def _go_on(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """The stage of ``index`` committed: the next stage, unless an operator asked to cancel
    meanwhile. Then undo it all, or go on if a step of this stage cannot be undone."""
    if state.cancel_reason is None:
        return _continue(definition, state, index, new_id, at)
    name = definition.steps[index].name
    stage = _stage_of(definition, index)
    fixed = [definition.steps[i].name for i in stage if definition.steps[i].compensation is None]
    if not fixed:
        failure = {"step": name, "code": "cancelled", "reason": state.cancel_reason}
        return _compensate(definition, _compensating(state, failure), new_id, at)
    late = HistoryEntry("cancel_too_late", name, {"reason": f"{', '.join(fixed)} cannot be undone"})
    state = replace(state, cancel_reason=None)
    return _prefixed(_continue(definition, state, index, new_id, at), late)


def _continue(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """Run the stage after the one holding ``index``, or complete after the last."""
    following = _stage_of(definition, index)[-1] + 1
    if following < len(definition.steps):
        return _run_stage(definition, state, following, new_id, at)
    return _complete(definition, state)


def _stage_of(definition: SagaDefinition, index: int) -> tuple[int, ...]:
    return next(stage for stage in definition.stages if index in stage)


def _waits_on(state: SagaState) -> str | None:
    if state.flights:
        return ", ".join(f.message_id for f in state.flights)
    return state.awaiting


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


def _in_flight(state: SagaState, flights: tuple[Flight, ...]) -> SagaState:
    """A parallel stage's state: its flights, and the earliest of their deadlines where
    the sweeper looks; the scalar fields belong to a step alone and stay clear."""
    return replace(
        state,
        flights=flights,
        awaiting=None,
        attempt=0,
        deadline=min(f.deadline for f in flights),
    )


def _run_stage(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    stage = _stage_of(definition, index)
    if len(stage) == 1:
        return _run_step(definition, state, index, new_id, at)
    commands = []
    flights = []
    for i in stage:
        step = definition.steps[i]
        state = _with_step(state, i, StepStatus.RUNNING)
        command = _command(step, step.command(state.data), new_id(), False)
        deadline = at + timedelta(seconds=step.policy.timeout_for(1))
        commands.append(command)
        flights.append(Flight(i, command.message_id, 1, deadline))
    state = _in_flight(replace(state, current_step=stage[0]), tuple(flights))
    return Transition(state, tuple(commands), history=tuple(_sent(c, 1) for c in commands))


def _resend_flights(definition: SagaDefinition, state: SagaState, at: datetime) -> Transition:
    """An operator's retry of a stage that failed on a timeout: every member that never
    answered goes out again under its own id, with its attempts counted afresh."""
    status = SagaStatus.RUNNING if state.failure is None else SagaStatus.COMPENSATING
    state = replace(state, status=status)
    commands = []
    flights = []
    for flight in state.flights:
        step = definition.steps[flight.step]
        state = _with_step(state, flight.step, StepStatus.RUNNING)
        commands.append(_command(step, step.command(state.data), flight.message_id, False))
        deadline = at + timedelta(seconds=step.policy.timeout_for(1))
        flights.append(replace(flight, attempt=1, deadline=deadline))
    state = _in_flight(state, tuple(flights))
    return Transition(state, tuple(commands), history=tuple(_sent(c, 1) for c in commands))


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


def _compensate(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, at: datetime
) -> Transition:
    """Undo every committed step, one at a time, the last committed first."""
    for i in _undo_order(state):
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


def _undo_order(state: SagaState) -> list[int]:
    """Step indexes, newest commit first. Steps missing from ``completed`` (committed
    before a release that recorded it) committed before all of it: last, by index."""
    recorded = list(reversed(state.completed))
    older = [i for i in reversed(range(len(state.steps))) if i not in recorded]
    return recorded + older


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


def _resent(command: OutgoingCommand, attempt: int, policy: RetryPolicy) -> HistoryEntry:
    detail = {
        "type": command.payload.message_type,
        "message_id": command.message_id,
        "attempt": attempt,
        "reason": f"no reply after {policy.timeout_for(attempt - 1):g}s",
    }
    return HistoryEntry("command_resent", command.step, detail)


def _sent(command: OutgoingCommand, attempt: int) -> HistoryEntry:
    kind = "compensation_sent" if command.compensation else "command_sent"
    detail = {"type": command.payload.message_type, "message_id": command.message_id}
    if attempt > 1:
        detail["attempt"] = str(attempt)
    return HistoryEntry(kind, command.step, detail)
