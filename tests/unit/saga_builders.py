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
    now: datetime | None = None,
) -> Transition:
    """The transition of ``reply`` to the command ``causation_id``; an ignored reply fails."""
    result = engine.on_reply(
        definition, state, reply.message_type, causation_id, reply, new_id, now
    )
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result


def kinds(transition: Transition) -> list[str]:
    return [entry.kind for entry in transition.history]


def assert_compensating(
    transition: Transition, steps: tuple[StepStatus, ...], command: OutgoingCommand
) -> None:
    """The saga undoes the step of ``command``, which it sent and now waits for."""
    state = transition.state
    assert state.status is SagaStatus.COMPENSATING
    assert state.steps == steps
    assert state.current_step == steps.index(S.COMPENSATING)
    assert state.awaiting == command.message_id
    assert transition.commands == (command,)
    assert command.compensation is True


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
