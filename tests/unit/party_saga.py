"""The party saga of the parallel group tests, made up and deliberately not in the catalog:
it books the venue (a), then hires the band (b) and orders the catering (c) at the same
time, then sends the invitations (d). With the helpers that drive it through the pure
engine at a fixed time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from messaging.contracts import MessageKind, Payload
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.definition import Compensation, RetryPolicy, SagaDefinition, Step
from orchestrator.engine import Ignored, SagaState, Transition
from tests.unit import saga_builders
from tests.unit.saga_builders import IdFactory

NOW = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
A, B, C, D = 0, 1, 2, 3
# start sends a's command, a's success both group commands, the next one goes to d (or
# to the first compensation)
SENT = {"a": "cmd-1", "b": "cmd-2", "c": "cmd-3"}


# --- messages of the party saga (deliberately not in the catalog) -------------------------


class Work(Payload):
    message_type = "Work"
    kind = MessageKind.COMMAND

    step: str


class Worked(Payload):
    message_type = "Worked"
    kind = MessageKind.REPLY

    step: str
    ref: str


class Refused(Payload):
    message_type = "Refused"
    kind = MessageKind.REPLY

    step: str
    code: str
    reason: str


class Undo(Payload):
    message_type = "Undo"
    kind = MessageKind.COMMAND

    step: str
    ref: str


class Undone(Payload):
    message_type = "Undone"
    kind = MessageKind.REPLY

    step: str


def step(name: str, **fields: Any) -> Step:
    """A step whose success keeps ``<name>_ref``, which its compensation sends back;
    ``fields`` replace any of its fields."""
    plain = Step(
        name=name,
        service=f"{name}-service",
        command=lambda _d: Work(step=name),
        success_on={"Worked": lambda r: {f"{r.step}_ref": r.ref}},
        failure_on=frozenset({"Refused"}),
        compensation=Compensation(
            command=lambda d: Undo(step=name, ref=d[f"{name}_ref"]),
            done_on=frozenset({"Undone"}),
        ),
    )
    return replace(plain, **fields)


B_POLICY = RetryPolicy(timeout=10.0, max_attempts=2, backoff=2.0)
C_POLICY = RetryPolicy(timeout=40.0, max_attempts=2, backoff=2.0)


def party(**overrides: dict[str, Any]) -> SagaDefinition:
    """The party saga; ``b={"on_exhausted": "compensate"}`` changes one step's fields."""
    steps = (
        step("a"),
        step("b", group="music_and_food", policy=B_POLICY),
        step("c", group="music_and_food", policy=C_POLICY),
        step("d", compensation=None),
    )
    return SagaDefinition(
        name="party",
        steps=tuple(replace(s, **overrides.get(s.name, {})) for s in steps),
    )


PARTY = party()


def ok(name: str) -> Worked:
    return Worked(step=name, ref=f"{name}-ref")


def refused(name: str) -> Refused:
    return Refused(step=name, code=f"{name}_refused", reason=f"{name} said no")


def outcome(name: str, succeeds: bool) -> Payload:
    return ok(name) if succeeds else refused(name)


def reply(
    state: SagaState,
    payload: Payload,
    causation_id: str | None,
    new_id: IdFactory,
    definition: SagaDefinition = PARTY,
) -> Transition | Ignored:
    return engine.on_reply(
        definition, state, payload.message_type, causation_id, payload, new_id=new_id, now=NOW
    )


def applied(
    state: SagaState,
    payload: Payload,
    causation_id: str | None,
    new_id: IdFactory,
    definition: SagaDefinition = PARTY,
) -> Transition:
    return saga_builders.applied(definition, state, payload, causation_id, new_id, now=NOW)


def due(
    state: SagaState, at: datetime, new_id: IdFactory, definition: SagaDefinition = PARTY
) -> Transition:
    result = engine.on_deadline(definition, state, new_id, at)
    assert isinstance(result, Transition), result
    return result


def in_group(new_id: IdFactory, definition: SagaDefinition = PARTY) -> Transition:
    """Start, and a's success: b and c in flight."""
    state = engine.start(definition, {"party": "p-1"}, new_id, now=NOW).state
    return applied(state, ok("a"), SENT["a"], new_id, definition)


def undo_all(
    transition: Transition, new_id: IdFactory, definition: SagaDefinition = PARTY
) -> tuple[list[str], Transition]:
    """Answer each compensation as it goes out; the steps undone, in order, and the end."""
    undone = []
    while transition.state.status is SagaStatus.COMPENSATING:
        (command,) = transition.commands
        assert command.compensation
        assert command.payload == Undo(step=command.step, ref=f"{command.step}-ref")
        undone.append(command.step)
        transition = applied(
            transition.state, Undone(step=command.step), command.message_id, new_id, definition
        )
    return undone, transition


def sent(transitions: Iterable[Transition]) -> list[tuple[str, str, bool]]:
    return [(c.message_id, c.step, c.compensation) for t in transitions for c in t.commands]


def exhaust_b(state: SagaState, new_id: IdFactory, definition: SagaDefinition) -> Transition:
    """b's deadline passes twice (two attempts); c has answered or is not due yet."""
    state = due(state, NOW + timedelta(seconds=10), new_id, definition).state
    (b_flight,) = [f for f in state.flights if f.step == B]
    return due(state, b_flight.deadline, new_id, definition)
