"""A saga's state (its status, each step's status, the commands it waits on) and the
small pure edits every part of the engine makes to one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from messaging.contracts.saga_status import SagaStatus


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


def with_step(
    state: SagaState, index: int, status: StepStatus, data: Mapping[str, Any] | None = None
) -> SagaState:
    steps = list(state.steps)
    steps[index] = status
    return replace(state, steps=tuple(steps), data=state.data if data is None else data)


def compensating(state: SagaState, failure: Mapping[str, str]) -> SagaState:
    return replace(state, status=SagaStatus.COMPENSATING, failure=state.failure or failure)


def failed(state: SagaState, error: str) -> SagaState:
    return replace(state, status=SagaStatus.FAILED, error=error, deadline=None)
