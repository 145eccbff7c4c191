"""What retention may delete, and when: plain rules, no SQL (the repositories in
messaging/retention.py and orchestrator/retention.py turn them into batched deletes).

Each table has one setting (docs/configuration.md, ``SAGA_RETENTION_*``): how long a row
is kept once it may go at all; ``0`` or ``keep`` keeps it forever. Whatever a saga, a
receiver or an operator may still need is never eligible, whatever its age:
- an outbox row until it was published;
- an inbox row until no redelivery of its message can arrive (docs/reliability.md);
- a saga (and its history) until it is finished: completed or compensated;
- an event until every active subscription has been sent it (and acknowledged it);
- a dead letter until it was handled (replayed); a parked one never.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from messaging.contracts.saga_status import FINISHED_STATUSES

KEEP_WORDS = ("0", "keep", "forever")
BATCH_DEFAULT = 500
INTERVAL_DEFAULT = 300.0  # seconds between two runs of a process's retention
BUDGET_DEFAULT = 0.5  # seconds a run may take at once; a backlog goes on at the next look


@dataclass(frozen=True)
class Keep:
    """One table's setting: keep rows this long once they may go (None: forever)."""

    variable: str
    period: timedelta | None

    @classmethod
    def parse(cls, variable: str, text: str, unit: str) -> Keep:
        """``24`` (in ``unit``: hours or days), ``0`` or ``keep``; ValueError otherwise."""
        value = text.strip().lower()
        if value in KEEP_WORDS:
            return cls(variable, None)
        try:
            amount = float(value)
        except ValueError:
            raise ValueError(
                f"{variable}={text!r}: expected a number of {unit} or 'keep'"
            ) from None
        if amount < 0:
            raise ValueError(f"{variable}={text!r}: expected a number of {unit} >= 0 or 'keep'")
        return cls(variable, timedelta(**{unit: amount}))

    def cutoff(self, now: datetime) -> datetime | None:
        """Rows older than this may go; None: none may."""
        return None if self.period is None else now - self.period

    def __str__(self) -> str:
        if self.period is None:
            return f"{self.variable}=keep"
        hours = self.period.total_seconds() / 3600
        shown = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"
        return f"{self.variable} ({shown})"


@dataclass(frozen=True)
class RetentionSettings:
    outbox: Keep  # published outbox rows
    inbox: Keep  # processed message ids
    sagas: Keep  # finished sagas and their history
    event_log: Keep
    dead_letters: Keep  # handled (replayed) letters, from when they were handled
    export_dir: str | None  # finished sagas written there as JSON lines before deletion
    batch: int  # rows (sagas, for the saga tables) per transaction
    interval: float  # seconds between two runs (0: no runs)
    budget: float  # seconds one run may take before the process's own work comes again

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RetentionSettings:
        env = os.environ if env is None else env

        def keep(name: str, default: str, unit: str) -> Keep:
            variable = f"SAGA_RETENTION_{name}"
            return Keep.parse(variable, env.get(variable, default), unit)

        batch = int(env.get("SAGA_RETENTION_BATCH", str(BATCH_DEFAULT)))
        if batch < 1:
            raise ValueError(f"SAGA_RETENTION_BATCH={batch}: expected at least 1")
        return cls(
            outbox=keep("OUTBOX_HOURS", "24", "hours"),
            inbox=keep("INBOX_DAYS", "7", "days"),
            sagas=keep("SAGAS_DAYS", "30", "days"),
            event_log=keep("EVENT_LOG_DAYS", "30", "days"),
            dead_letters=keep("DEAD_LETTERS_DAYS", "30", "days"),
            export_dir=env.get("SAGA_RETENTION_EXPORT_DIR") or None,
            batch=batch,
            interval=float(env.get("SAGA_RETENTION_INTERVAL", str(INTERVAL_DEFAULT))),
            budget=float(env.get("SAGA_RETENTION_BUDGET", str(BUDGET_DEFAULT))),
        )


def _older(at: datetime | None, cutoff: datetime | None) -> bool:
    return cutoff is not None and at is not None and at < cutoff


def outbox_row(published_at: datetime | None, cutoff: datetime | None) -> bool:
    """A published row, published before the cutoff; an unpublished one never."""
    return _older(published_at, cutoff)


def inbox_row(received_at: datetime, cutoff: datetime | None) -> bool:
    return _older(received_at, cutoff)


def saga(status: str, updated_at: datetime, cutoff: datetime | None) -> bool:
    """A finished saga (completed, compensated) that last changed before the cutoff; its
    history goes with it. Running, awaiting approval, compensating and failed (an
    operator's to retry) never."""
    return status in FINISHED_STATUSES and _older(updated_at, cutoff)


# Of the saga states, the ones retention may delete (the repositories' WHERE).
DELETABLE_SAGA_STATUSES = tuple(sorted(str(s) for s in FINISHED_STATUSES))


def event(log_id: int, created_at: datetime, cutoff: datetime | None, floor: int | None) -> bool:
    """An event older than the cutoff that every active subscription is past: ``floor``
    is the highest event-log id all of them have been sent and acknowledged (None: no
    subscription, so only the age counts)."""
    return _older(created_at, cutoff) and (floor is None or log_id <= floor)


def dead_letter(status: str, handled_at: datetime | None, cutoff: datetime | None) -> bool:
    """A letter handled (replayed) before the cutoff; a parked one never."""
    return status != "parked" and _older(handled_at, cutoff)


# How much sooner than the inbox's setting an operator's retry is refused: the retried
# command reaches its participant within seconds, a retention run may start meanwhile.
RETRY_MARGIN = timedelta(hours=1)


def retry_is_safe(created_at: datetime, inbox: Keep, now: datetime) -> bool:
    """An operator's retry re-sends the failed step's command under its message id, and
    relies on the participant's inbox to answer with what it did, not do it again. Every
    inbox row of a saga's commands is younger than the saga: while the saga is younger
    than the inbox's setting (less a margin), none of them can have been deleted."""
    if inbox.period is None:
        return True
    return created_at >= now - inbox.period + RETRY_MARGIN
