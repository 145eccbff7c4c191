"""A saga definition is data: an ordered list of steps, each with its command,
the replies that mean success or failure, and the compensation that undoes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from messaging.contracts import Payload

SagaData = Mapping[str, Any]
CommandBuilder = Callable[[SagaData], Payload]
ReplyRecorder = Callable[[Any], Mapping[str, Any]]
EventBuilder = Callable[[SagaData, Mapping[str, str]], Payload | None]


def record_nothing(_reply: Any) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Compensation:
    """The command that semantically undoes a committed step."""

    command: CommandBuilder
    done_on: frozenset[str]
    failed_on: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    name: str
    service: str  # the participant that handles the command (its queue)
    command: CommandBuilder
    # reply type meaning success -> what to keep from it in the saga data
    success_on: Mapping[str, ReplyRecorder]
    failure_on: frozenset[str] = frozenset()
    compensation: Compensation | None = None


def no_event(_data: SagaData, _failure: Mapping[str, str]) -> Payload | None:
    return None


@dataclass(frozen=True)
class SagaDefinition:
    name: str
    steps: tuple[Step, ...]
    # domain events written with the final transition (fan-out is not the engine's business)
    on_completed: EventBuilder = no_event
    on_compensated: EventBuilder = no_event
    step_index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"saga {self.name!r} has no steps")
        names = [step.name for step in self.steps]
        if len(names) != len(set(names)):
            raise ValueError(f"saga {self.name!r} has duplicate step names: {names}")
        for step in self.steps:
            overlap = set(step.success_on) & step.failure_on
            if overlap:
                raise ValueError(f"step {step.name!r}: {overlap} both success and failure")
        object.__setattr__(self, "step_index", {name: i for i, name in enumerate(names)})
