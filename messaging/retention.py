"""Retention of the tables every service keeps (outbox, inbox, dead letters): what the
policy (messaging/retention_policy.py) allows, deleted in small batches.

Each batch is its own short transaction: select at most ``batch`` primary keys of
eligible rows (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so a row a handler holds is left for
the next run; SQLite: the batch's ``BEGIN IMMEDIATE`` is the one writer for a moment),
delete exactly those, commit. No transaction ever holds more than one batch's locks, and
none waits for a lock a saga holds. Run by the service's relay (``saga-relay``) and by a
reactor's worker on its dispatcher's checks; reported by ``<service>.retention``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    delete,
    false,
    func,
    select,
)

from messaging.contracts.read_models import TableRetention
from messaging.database import as_utc, is_postgresql, reading
from messaging.retention_policy import Keep, RetentionSettings
from messaging.tables import dead_letters, inbox, outbox

# A service's own tables' figures beside the shared ones (ServiceApp.retention_reports).
RetentionReporter = Callable[[Engine, RetentionSettings, datetime], list[TableRetention]]
# Before a batch is deleted, in its transaction (the sagas' export): given the batch's keys.
BeforeDelete = Callable[[Connection, list[Any]], None]


@dataclass(frozen=True)
class Target:
    """One table under a setting: which of its rows are eligible (``where``, from the
    policy's cutoff), by which key they are deleted, by which time their age is shown."""

    table: Table
    key: Column[Any]
    age: Column[Any]
    keep: Keep
    where: Callable[[datetime], ColumnElement[bool]]

    def eligible(self, now: datetime) -> ColumnElement[bool]:
        cutoff = self.keep.cutoff(now)
        return false() if cutoff is None else self.where(cutoff)


def shared_targets(settings: RetentionSettings) -> list[Target]:
    """The policy's rules for the outbox, the inbox and dead letters, as SQL."""
    return [
        Target(
            outbox,
            outbox.c.id,
            outbox.c.created_at,
            settings.outbox,
            # published_at IS NULL is never < anything: an unpublished row never goes
            lambda cutoff: outbox.c.published_at < cutoff,
        ),
        Target(
            inbox,
            inbox.c.message_id,
            inbox.c.received_at,
            settings.inbox,
            lambda cutoff: inbox.c.received_at < cutoff,
        ),
        Target(
            dead_letters,
            dead_letters.c.id,
            dead_letters.c.parked_at,
            settings.dead_letters,
            lambda cutoff: and_(
                dead_letters.c.status != "parked", dead_letters.c.handled_at < cutoff
            ),
        ),
    ]


def figures(engine: Engine, targets: Sequence[Target], now: datetime) -> list[TableRetention]:
    """Per table: rows held, the oldest, how many the next run would delete, the setting."""
    shown = []
    with reading(engine) as conn:
        for target in targets:
            rows, oldest = conn.execute(
                select(func.count(), func.min(target.age)).select_from(target.table)
            ).one()
            eligible = conn.execute(
                select(func.count()).select_from(target.table).where(target.eligible(now))
            ).scalar_one()
            shown.append(
                TableRetention(
                    table=target.table.name,
                    rows=int(rows),
                    oldest=as_utc(oldest),
                    next_run_deletes=int(eligible),
                    setting=str(target.keep),
                )
            )
    return shown


def delete_batch(
    conn: Connection, target: Target, now: datetime, batch: int, before: BeforeDelete | None
) -> int:
    """One batch in the caller's transaction: at most ``batch`` eligible rows, by key."""
    query = select(target.key).where(target.eligible(now)).limit(batch)
    if is_postgresql(conn):
        query = query.with_for_update(skip_locked=True)
    keys = list(conn.execute(query).scalars())
    if keys:
        if before is not None:
            before(conn, keys)
        conn.execute(delete(target.table).where(target.key.in_(keys)))
    return len(keys)


@dataclass
class Run:
    """One retention run: rows deleted per table, and whether it ran out of its time
    (``until``) before the last table was done; the next run goes on."""

    deleted: dict[str, int]
    until: float | None = None  # a time.monotonic() deadline, None: no limit
    clock: Callable[[], float] = time.monotonic
    cut_short: bool = False

    def out_of_time(self) -> bool:
        if self.until is not None and self.clock() >= self.until:
            self.cut_short = True
        return self.cut_short


def purge(
    engine: Engine,
    target: Target,
    *,
    batch: int,
    now: datetime | None = None,
    before: BeforeDelete | None = None,
    run: Run | None = None,
) -> int:
    """Delete every row eligible at ``now``, one short transaction per batch, until done
    or ``run`` is out of time; how many."""
    now = now or datetime.now(UTC)
    if target.keep.period is None:
        return 0
    deleted = 0
    while run is None or not run.out_of_time():
        with engine.begin() as conn:
            done = delete_batch(conn, target, now, batch, before)
        deleted += done
        if done < batch:  # the last one, or the rest is locked: the next run takes it
            break
    if run is not None:
        run.deleted[target.table.name] = run.deleted.get(target.table.name, 0) + deleted
    return deleted


def run(
    engine: Engine,
    targets: Sequence[Target],
    settings: RetentionSettings,
    until: float | None = None,
) -> Run:
    """One retention run over these tables, within ``until`` (time.monotonic)."""
    now = datetime.now(UTC)
    done = Run({}, until)
    for target in targets:
        purge(engine, target, batch=settings.batch, now=now, run=done)
    return done


def report(
    engine: Engine, settings: RetentionSettings, reporters: Sequence[RetentionReporter]
) -> list[TableRetention]:
    """The shared tables' figures, then each of the service's own (``reporters``)."""
    now = datetime.now(UTC)
    shown = figures(engine, shared_targets(settings), now)
    for reporter in reporters:
        shown.extend(reporter(engine, settings, now))
    return shown


class Schedule:
    """When a periodic process runs retention next: at its first look, then every
    ``settings.interval`` seconds (a monotonic clock), or at its next look when the last
    run was cut short (``soon``): a long backlog goes in slices of ``settings.budget``
    seconds between the process's own work (deadlines, leftovers to publish)."""

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self.clock = clock
        self.next_at: float | None = None

    def due(self) -> bool:
        now = self.clock()
        if self.interval <= 0 or (self.next_at is not None and now < self.next_at):
            return False
        self.next_at = now + self.interval
        return True

    def soon(self) -> None:
        self.next_at = None

    def slice_end(self, budget: float) -> float:
        return self.clock() + budget
