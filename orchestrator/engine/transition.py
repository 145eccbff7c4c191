"""What a transition yields (the new state, commands, domain events, history lines) or
that an input was ignored, and what the engine is given from outside: a reply, ids and
time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from messaging.contracts import Payload

from .state import SagaState


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


@dataclass(frozen=True)
class Reply:
    """A participant's answer: its message type (which says what the payload means to the
    step: success, failure, unknown outcome) and the payload."""

    type: str
    payload: Payload


IdFactory = Callable[[], str]


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def prefixed(transition: Transition, entry: HistoryEntry) -> Transition:
    return replace(transition, history=(entry, *transition.history))
