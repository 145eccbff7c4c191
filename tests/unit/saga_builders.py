"""Driving the pure engine in the unit tests, shared by the saga path tests: a reply or a
deadline that must move the saga (an ignored one fails the test), and the checks each path
test makes of a transition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from messaging.contracts import Payload
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.definition import SagaDefinition
from orchestrator.engine import OutgoingCommand, SagaState, StepStatus, Transition

S = StepStatus
IdFactory = Callable[[], str]


def applied(
    definition: SagaDefinition,
    state: SagaState,
    reply: Payload,
    causation_id: str | None,
    new_id: IdFactory,
    *,
    now: datetime | None = None,
) -> Transition:
    """The transition of ``reply`` to the command ``causation_id``; an ignored reply fails."""
    result = engine.on_reply(
        definition, state, reply.message_type, causation_id, reply, new_id=new_id, now=now
    )
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result


def kinds(transition: Transition) -> list[str]:
    return [entry.kind for entry in transition.history]


def assert_awaiting(
    transition: Transition, steps: tuple[StepStatus, ...], command: OutgoingCommand
) -> None:
    """The saga sent ``command`` alone and waits for its reply: running at the step that
    runs, or compensating at the step being undone if ``command`` is a compensation."""
    state = transition.state
    if command.compensation:
        assert state.status is SagaStatus.COMPENSATING
        assert state.current_step == steps.index(S.COMPENSATING)
    else:
        assert state.status is SagaStatus.RUNNING
        assert state.current_step == steps.index(S.RUNNING)
    assert state.steps == steps
    assert state.awaiting == command.message_id
    assert transition.commands == (command,)


def assert_at_rest(
    transition: Transition, status: SagaStatus, steps: tuple[StepStatus, ...]
) -> None:
    """The saga ended with ``status``: no step running, nothing awaited, nothing sent."""
    state = transition.state
    assert state.status is status
    assert state.steps == steps
    assert state.current_step is None
    assert state.awaiting is None
    assert transition.commands == ()
