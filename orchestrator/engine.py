"""The saga state machine: pure functions from (definition, state, reply) to a transition.

No I/O here. The caller persists the new state, the outgoing commands (outbox), the
domain events and the history entries in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from messaging.contracts import Payload
from orchestrator.definition import SagaDefinition, Step


class SagaStatus(StrEnum):
    RUNNING = "running"
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
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
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
    """A reply that does not belong to the step the saga waits on: stale or unexpected."""

    reason: str


IdFactory = Callable[[], str]


def start(definition: SagaDefinition, data: Mapping[str, Any], new_id: IdFactory) -> Transition:
    state = SagaState(
        status=SagaStatus.RUNNING,
        current_step=None,
        steps=tuple(StepStatus.PENDING for _ in definition.steps),
        data=dict(data),
    )
    begun = _run_step(definition, state, 0, new_id)
    return replace(begun, history=(HistoryEntry("started", None, {}), *begun.history))


def on_reply(
    definition: SagaDefinition,
    state: SagaState,
    reply_type: str,
    causation_id: str | None,
    reply: Payload,
    new_id: IdFactory,
) -> Transition | Ignored:
    if state.status.terminal:
        return Ignored(f"saga is already {state.status}")
    if state.current_step is None or causation_id != state.awaiting:
        return Ignored(f"{reply_type} answers {causation_id}, saga waits on {state.awaiting}")
    index = state.current_step
    step = definition.steps[index]
    applied = HistoryEntry("reply_applied", step.name, {"type": reply_type})
    if state.status is SagaStatus.RUNNING:
        if reply_type in step.success_on:
            data = {**state.data, **step.success_on[reply_type](reply)}
            state = _with_step(state, index, StepStatus.SUCCEEDED, data=data)
            if index + 1 < len(definition.steps):
                nxt = _run_step(definition, state, index + 1, new_id)
            else:
                nxt = _complete(definition, state)
            return replace(nxt, history=(applied, *nxt.history))
        if reply_type in step.failure_on:
            failure = {
                "step": step.name,
                "code": str(getattr(reply, "code", reply_type)),
                "reason": str(getattr(reply, "reason", reply_type)),
            }
            state = _with_step(state, index, StepStatus.FAILED)
            state = replace(state, status=SagaStatus.COMPENSATING, failure=failure)
            nxt = _compensate_from(definition, state, index - 1, new_id)
            return replace(nxt, history=(applied, *nxt.history))
    elif state.status is SagaStatus.COMPENSATING and step.compensation is not None:
        if reply_type in step.compensation.done_on:
            state = _with_step(state, index, StepStatus.COMPENSATED)
            nxt = _compensate_from(definition, state, index - 1, new_id)
            return replace(nxt, history=(applied, *nxt.history))
        if reply_type in step.compensation.failed_on:
            error = (
                f"compensation of {step.name} failed: "
                f"{getattr(reply, 'code', reply_type)}: {getattr(reply, 'reason', '')}"
            )
            state = _with_step(state, index, StepStatus.COMPENSATION_FAILED)
            state = replace(state, status=SagaStatus.FAILED, awaiting=None, error=error)
            return Transition(
                state, history=(applied, HistoryEntry("failed", step.name, {"error": error}))
            )
    return Ignored(f"{reply_type} is not an expected reply of {step.name} while {state.status}")


def _with_step(
    state: SagaState, index: int, status: StepStatus, data: Mapping[str, Any] | None = None
) -> SagaState:
    steps = list(state.steps)
    steps[index] = status
    return replace(state, steps=tuple(steps), data=state.data if data is None else data)


def _run_step(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory
) -> Transition:
    step = definition.steps[index]
    command = _command(step, step.command(state.data), new_id, compensation=False)
    state = _with_step(state, index, StepStatus.RUNNING)
    state = replace(state, current_step=index, awaiting=command.message_id)
    return Transition(state, commands=(command,), history=(_sent(command),))


def _compensate_from(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory
) -> Transition:
    """Undo, in reverse order, every committed step at or before ``index``."""
    for i in range(index, -1, -1):
        step = definition.steps[i]
        if state.steps[i] is StepStatus.SUCCEEDED and step.compensation is not None:
            command = _command(
                step, step.compensation.command(state.data), new_id, compensation=True
            )
            state = _with_step(state, i, StepStatus.COMPENSATING)
            state = replace(state, current_step=i, awaiting=command.message_id)
            return Transition(state, commands=(command,), history=(_sent(command),))
    failure = state.failure or {}
    state = replace(state, status=SagaStatus.COMPENSATED, current_step=None, awaiting=None)
    event = definition.on_compensated(state.data, failure)
    return Transition(
        state,
        events=() if event is None else (event,),
        history=(HistoryEntry("compensated", None, dict(failure)),),
    )


def _complete(definition: SagaDefinition, state: SagaState) -> Transition:
    state = replace(state, status=SagaStatus.COMPLETED, current_step=None, awaiting=None)
    event = definition.on_completed(state.data, {})
    return Transition(
        state, events=() if event is None else (event,), history=(HistoryEntry("completed", None),)
    )


def _command(
    step: Step, payload: Payload, new_id: IdFactory, *, compensation: bool
) -> OutgoingCommand:
    return OutgoingCommand(new_id(), step.service, step.name, payload, compensation)


def _sent(command: OutgoingCommand) -> HistoryEntry:
    kind = "compensation_sent" if command.compensation else "command_sent"
    detail = {"type": command.payload.message_type, "message_id": command.message_id}
    return HistoryEntry(kind, command.step, detail)
