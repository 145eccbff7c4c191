"""The subscription contract between a reactor and the orchestrator's event dispatcher.

A reactor *announces* itself when it starts (name, event types, where to start); from then
on the dispatcher (the ``events`` worker, next to the orchestrator's store) sends it its
own durable copy of every matching event, numbered ``seq`` = 1, 2, 3, ... per
subscription. The dispatcher also sends, now and then, a *check* carrying the highest
``seq`` sent so far; the reactor answers with what it holds and which numbers it lacks,
and only those are sent again. Nothing here imports the orchestrator: a reactor installed
in an environment of its own needs only this package.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

EVENTS_QUEUE = "events"
SUBSCRIBE = "events.subscribe"
UNSUBSCRIBE = "events.unsubscribe"
LIST = "events.subscriptions"
ACKNOWLEDGE = "events.acknowledge"
BACKFILL = "events.backfill"

NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
START_HELP = "'latest', 'earliest' or an ISO date/date-time (UTC if no offset)"
# Where each copy says which subscription and number it is: the inbound task's keyword.
DELIVERY_KWARG = "delivery"


def check_task(name: str) -> str:
    """The task on a reactor's own queue that compares what it holds with what was sent."""
    return f"reactor.{name}.check_deliveries"


def parse_start(start: str) -> datetime | None:
    """``latest`` / ``earliest`` -> None (the caller decides), a date -> that date.
    Raises ValueError for anything else."""
    if start in ("latest", "earliest"):
        return None
    try:
        return datetime.fromisoformat(start)
    except ValueError:
        raise ValueError(f"unknown start position {start!r}: expected {START_HELP}") from None


class Announcement(BaseModel):
    """What a reactor says about itself when it starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    events: Annotated[list[str], Field(min_length=1)]
    start: str = "latest"
    # Who holds the name: the reactor's top-level package. Another owner is refused.
    owner: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError(f"reactor name {value!r} must match {NAME.pattern}")
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        bad = [event for event in value if not re.match(r"^[A-Z][A-Za-z0-9]{0,99}$", event)]
        if bad:
            raise ValueError(f"not event type names: {bad}")
        return sorted(set(value))

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        parse_start(value)
        return value


def validate_announcement(raw: Any) -> Announcement:
    """The announcement, or ValueError saying what is wrong with it."""
    try:
        return Announcement.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'announcement'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ValueError(f"announcement refused: {problems}") from None


def missing_ranges(held: list[int], after: int, head: int, limit: int) -> list[list[int]]:
    """The numbers in (after, head] not in ``held`` (sorted), as [first, last] ranges,
    at most ``limit`` numbers in all: a bounded page of what to send again."""
    ranges: list[list[int]] = []
    wanted = 0
    expected = after + 1
    for seq in [*[s for s in held if after < s <= head], head + 1]:
        if seq > expected:
            last = min(seq - 1, expected + (limit - wanted) - 1)
            ranges.append([expected, last])
            wanted += last - expected + 1
            if wanted >= limit:
                break
        expected = max(expected, seq + 1)
    return ranges
