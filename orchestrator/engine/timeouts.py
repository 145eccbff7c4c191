"""A deadline passed with nothing arrived: resend the same command under its own id, ask
again for an unknown outcome, retry a failed compensation, or give up as the step's policy
says. A parallel stage's members are judged one by one, each by its own deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import SagaDefinition

from .commands import command, no_reply, payload_of, policy_of, resent_entry, send
from .compensation import compensate
from .operator_actions import decide
from .stages import settle
from .state import Flight, SagaState, StepStatus, compensating, failed, with_step
from .transition import (
    HistoryEntry,
    IdFactory,
    Ignored,
    OutgoingCommand,
    Transition,
    now_or,
    prefixed,
)


def on_deadline(
    definition: SagaDefinition, state: SagaState, new_id: IdFactory, now: datetime | None = None
) -> Transition | Ignored:
    """Nothing arrived in time: resend the same command, retry a failed compensation, or
    give up as the step's policy says."""
    at = now_or(now)
    if state.status.terminal or state.deadline is None or state.current_step is None:
        return Ignored("no deadline")
    if at < state.deadline:
        return Ignored(f"deadline {state.deadline.isoformat()} not due")
    if state.status is SagaStatus.AWAITING_APPROVAL:
        reason = "no decision before the deadline"
        return decide(definition, state, approved=False, reason=reason, new_id=new_id, now=at)
    if state.flights:
        return _flights_due(definition, state, new_id, at)
    index = state.current_step
    step = definition.steps[index]
    undoing = state.status is SagaStatus.COMPENSATING
    policy = policy_of(step, undoing)
    if state.awaiting is None and state.querying:  # time to ask for the unknown outcome
        return send(definition, state, index, new_id, at, compensation=False, retry=False)
    if state.awaiting is None:  # a failed compensation's retry is due: a new command
        return send(definition, state, index, new_id, at, compensation=True, retry=True)
    if state.attempt < policy.max_attempts:
        again = command(step, payload_of(step, state, undoing), state.awaiting, undoing)
        attempt = state.attempt + 1
        deadline = at + timedelta(seconds=policy.timeout_for(attempt))
        state = replace(state, attempt=attempt, deadline=deadline)
        return Transition(state, (again,), history=(resent_entry(again, attempt, policy),))
    reason = no_reply(step, state.attempt)
    if undoing or step.on_exhausted == "fail":
        state = failed(with_step(state, index, StepStatus.TIMED_OUT), reason)
        return Transition(state, history=(HistoryEntry("failed", step.name, {"error": reason}),))
    failure = {"step": step.name, "code": "timeout", "reason": reason}
    state = compensating(with_step(state, index, StepStatus.TIMED_OUT), failure)
    nxt = compensate(definition, state, new_id, at)
    return prefixed(nxt, HistoryEntry("timed_out", step.name, {"reason": reason}))


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
            commands.append(command(step, step.command(state.data), flight.message_id, False))
            history.append(resent_entry(commands[-1], attempt, step.policy))
        else:  # out of attempts, and the step says "compensate": a failure
            reason = no_reply(step, flight.attempt)
            failure = {"step": step.name, "code": "timeout", "reason": reason}
            state = compensating(with_step(state, flight.step, StepStatus.TIMED_OUT), failure)
            history.append(HistoryEntry("timed_out", step.name, {"reason": reason}))
    nxt = settle(definition, replace(state, flights=tuple(flights)), first, new_id, at)
    return replace(nxt, commands=(*commands, *nxt.commands), history=(*history, *nxt.history))


def _group_failed(definition: SagaDefinition, state: SagaState, fatal: list[Flight]) -> Transition:
    """Members out of attempts whose steps say "fail": the saga stops for an operator.
    Every flight is kept, unanswered: their replies are ignored while the saga is failed,
    and a retry sends each again under its own id (the receivers are idempotent)."""
    history = []
    for flight in fatal:
        step = definition.steps[flight.step]
        state = with_step(state, flight.step, StepStatus.TIMED_OUT)
        history.append(HistoryEntry("failed", step.name, {"error": no_reply(step, flight.attempt)}))
    error = "; ".join(entry.detail["error"] for entry in history)
    return Transition(failed(state, error), history=tuple(history))
