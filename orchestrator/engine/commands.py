"""The commands a saga sends: a step's command, its compensation or its status query,
first sent under a new message id or sent again under the same one, and the history
line that says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from messaging.contracts import Payload
from orchestrator.definition import RetryPolicy, SagaDefinition, Step

from .state import SagaState
from .transition import HistoryEntry, IdFactory, OutgoingCommand, Transition


def policy_of(step: Step, compensation: bool) -> RetryPolicy:
    if compensation and step.compensation is not None:
        return step.compensation.policy
    return step.policy


def payload_of(step: Step, state: SagaState, compensation: bool) -> Payload:
    if compensation:
        assert step.compensation is not None
        return step.compensation.command(state.data)
    if state.querying:
        assert step.status_query is not None
        return step.status_query(state.data)
    return step.command(state.data)


def command(step: Step, payload: Payload, message_id: str, compensation: bool) -> OutgoingCommand:
    return OutgoingCommand(message_id, step.service, step.name, payload, compensation)


def send(
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
    sent = command(step, payload_of(step, state, compensation), new_id(), compensation)
    attempt = state.attempt + 1 if retry else 1
    policy = policy_of(step, compensation)
    state = replace(
        state,
        current_step=index,
        awaiting=sent.message_id,
        attempt=attempt,
        deadline=at + timedelta(seconds=policy.timeout_for(1)),
    )
    return Transition(state, commands=(sent,), history=(sent_entry(sent, attempt),))


def resend(
    definition: SagaDefinition, state: SagaState, index: int, at: datetime, *, compensation: bool
) -> Transition:
    """Send the awaited command again under its own message id (idempotent receivers)."""
    step = definition.steps[index]
    assert state.awaiting is not None
    again = command(step, payload_of(step, state, compensation), state.awaiting, compensation)
    policy = policy_of(step, compensation)
    state = replace(state, attempt=1, deadline=at + timedelta(seconds=policy.timeout_for(1)))
    return Transition(state, commands=(again,), history=(sent_entry(again, 1),))


def resent_entry(sent: OutgoingCommand, attempt: int, policy: RetryPolicy) -> HistoryEntry:
    detail = {
        "type": sent.payload.message_type,
        "message_id": sent.message_id,
        "attempt": attempt,
        "reason": f"no reply after {policy.timeout_for(attempt - 1):g}s",
    }
    return HistoryEntry("command_resent", sent.step, detail)


def sent_entry(sent: OutgoingCommand, attempt: int) -> HistoryEntry:
    kind = "compensation_sent" if sent.compensation else "command_sent"
    detail = {"type": sent.payload.message_type, "message_id": sent.message_id}
    if attempt > 1:
        detail["attempt"] = str(attempt)
    return HistoryEntry(kind, sent.step, detail)


def no_reply(step: Step, attempts: int) -> str:
    return f"no reply from {step.service} to {step.name} after {attempts} attempts"
