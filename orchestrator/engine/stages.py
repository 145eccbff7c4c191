"""Going forward from the start, stage by stage: a step alone (sent, or held for
approval), or a parallel stage whose members' commands are all in flight at once, one
``Flight`` each; then the next stage once a stage committed, or completion after the last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from messaging.contracts.saga_status import SagaStatus
from orchestrator.definition import SagaDefinition

from .commands import command, send, sent_entry
from .compensation import compensate
from .state import Flight, SagaState, StepStatus, compensating, with_step
from .transition import HistoryEntry, IdFactory, Transition, now_or, prefixed


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
    begun = run_stage(definition, state, 0, new_id, now_or(now))
    return prefixed(begun, HistoryEntry("started", None, {}))


def run_stage(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    stage = stage_of(definition, index)
    if len(stage) == 1:
        return _run_step(definition, state, index, new_id, at)
    members = [(i, new_id()) for i in stage]
    return _fly(definition, replace(state, current_step=stage[0]), members, at)


def resend_flights(definition: SagaDefinition, state: SagaState, at: datetime) -> Transition:
    """An operator's retry of a stage that failed on a timeout: every member that never
    answered goes out again under its own id, with its attempts counted afresh."""
    status = SagaStatus.RUNNING if state.failure is None else SagaStatus.COMPENSATING
    members = [(flight.step, flight.message_id) for flight in state.flights]
    return _fly(definition, replace(state, status=status), members, at)


def _fly(
    definition: SagaDefinition,
    state: SagaState,
    members: Sequence[tuple[int, str]],
    at: datetime,
) -> Transition:
    """Each member (step index, message id) of a parallel stage running, its command sent
    as a first attempt; the stage waits on them all."""
    commands = []
    flights = []
    for index, message_id in members:
        step = definition.steps[index]
        state = with_step(state, index, StepStatus.RUNNING)
        commands.append(command(step, step.command(state.data), message_id, False))
        deadline = at + timedelta(seconds=step.policy.timeout_for(1))
        flights.append(Flight(index, message_id, 1, deadline))
    state = in_flight(state, tuple(flights))
    return Transition(state, tuple(commands), history=tuple(sent_entry(c, 1) for c in commands))


def stage_of(definition: SagaDefinition, index: int) -> tuple[int, ...]:
    return next(stage for stage in definition.stages if index in stage)


def in_flight(state: SagaState, flights: tuple[Flight, ...]) -> SagaState:
    """A parallel stage's state: its flights, and the earliest of their deadlines where
    the sweeper looks; the scalar fields belong to a step alone and stay clear."""
    return replace(
        state,
        flights=flights,
        awaiting=None,
        attempt=0,
        deadline=min(f.deadline for f in flights),
    )


def _run_step(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    approval = definition.steps[index].approval
    if approval is not None and approval.needed(state.data):
        state = with_step(state, index, StepStatus.AWAITING_APPROVAL)
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
    state = with_step(state, index, StepStatus.RUNNING)
    return send(definition, state, index, new_id, at, compensation=False, retry=False)


def settle(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """A member of a parallel stage has its outcome (``index``): wait for the others; once
    none is in flight, undo what committed after a failure, or go on."""
    if state.flights:
        return Transition(in_flight(state, state.flights))
    state = replace(state, deadline=None)
    if state.status is SagaStatus.COMPENSATING:
        return compensate(definition, state, new_id, at)
    return go_on(definition, state, index, new_id, at)


def go_on(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """The stage of ``index`` committed: the next stage, unless an operator asked to cancel
    meanwhile. Then undo it all, or go on if a step of this stage cannot be undone."""
    if state.cancel_reason is None:
        return _next_stage(definition, state, index, new_id, at)
    name = definition.steps[index].name
    stage = stage_of(definition, index)
    fixed = [definition.steps[i].name for i in stage if definition.steps[i].compensation is None]
    if not fixed:
        failure = {"step": name, "code": "cancelled", "reason": state.cancel_reason}
        return compensate(definition, compensating(state, failure), new_id, at)
    late = HistoryEntry("cancel_too_late", name, {"reason": f"{', '.join(fixed)} cannot be undone"})
    state = replace(state, cancel_reason=None)
    return prefixed(_next_stage(definition, state, index, new_id, at), late)


def _next_stage(
    definition: SagaDefinition, state: SagaState, index: int, new_id: IdFactory, at: datetime
) -> Transition:
    """Run the stage after the one holding ``index``, or complete after the last."""
    following = stage_of(definition, index)[-1] + 1
    if following < len(definition.steps):
        return run_stage(definition, state, following, new_id, at)
    return _complete(definition, state)


def _complete(definition: SagaDefinition, state: SagaState) -> Transition:
    state = replace(
        state, status=SagaStatus.COMPLETED, current_step=None, awaiting=None, deadline=None
    )
    event = definition.on_completed(state.data, {})
    return Transition(
        state, events=() if event is None else (event,), history=(HistoryEntry("completed", None),)
    )
