"""The event dispatcher: sends each active subscription its own numbered copy of every
logged event of its types, reading the event log on from the subscription's position.

One pass looks at each subscription in its own short transaction: a page of new events
(numbered ``seq`` = head + 1, ...), then at most one page of catch-up work (numbers the
reactor said it lacks, or a backfill), then, now and then, a *check* that tells the
reactor the highest number sent so far. The copies are sent after commit; one lost on
the way (a crash, a broker restart) shows up as a missing number at the next check and
is sent again. Recovery is proportional to what was lost, and the saga path does none of
it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from messaging.database import as_utc, is_postgresql, reading
from messaging.logs import get_logger
from messaging.outbox import batched
from messaging.routing import inbound_task
from orchestrator.event_tables import event_deliveries, event_log, subscriptions

log = get_logger()


@dataclass(frozen=True)
class Copy:
    queue: str
    body: dict[str, Any]
    seq: int | None  # None: a backfilled event from before the subscription


@dataclass(frozen=True)
class Check:
    name: str
    queue: str
    head: int
    after: int
    sent_at: datetime  # echoed in the answer: an answer older than a resend is stale


class Sender(Protocol):
    def send(
        self,
        task_name: str,
        queue: str,
        body: dict[str, Any],
        message_id: str,
        extra: dict[str, Any] | None = None,
    ) -> None: ...

    def send_check(self, check: Check) -> None: ...


@dataclass(frozen=True)
class Settings:
    page: int = 200  # copies per subscription per pass, live and catch-up each
    check_interval: float = 5.0  # seconds between checks of one subscription


@dataclass
class PassResult:
    live: int = 0
    resent: int = 0
    checks: int = 0
    full: bool = False  # a page was full: more work is waiting


def dispatch_once(
    engine: Engine, sender: Sender, settings: Settings, now: datetime | None = None
) -> PassResult:
    """One pass over every active subscription. An idle pass is one short read: only a
    subscription with something to do gets a transaction (and, on SQLite, the write lock)."""
    result = PassResult()
    now = now or datetime.now(UTC)
    with reading(engine) as conn:  # no write lock while there is nothing to do
        top = conn.execute(select(func.max(event_log.c.id))).scalar_one_or_none() or 0
        rows = conn.execute(
            select(subscriptions)
            .where(subscriptions.c.active.is_(True))
            .order_by(subscriptions.c.name)
        ).all()
    names = [
        row.name
        for row in rows
        if row.position < top
        or row.resend
        or row.backfill_from is not None
        or _check_due(row, row.head, now, settings.check_interval) is not None
    ]
    for name in names:
        with engine.begin() as conn:
            work = _one(conn, name, settings, now)
        if work is None:
            continue
        live, catch_up, check = work
        with batched(sender):  # one round trip for the subscription's copies and check
            _send(sender, [*live, *catch_up])
            if check is not None:
                sender.send_check(check)
        if check is not None:
            result.checks += 1
        result.live += len(live)
        result.resent += len(catch_up)
        result.full = result.full or len(live) >= settings.page or len(catch_up) >= settings.page
    return result


def _send(sender: Sender, copies: Sequence[Copy]) -> None:
    for copy in copies:
        extra = {"delivery": {"seq": copy.seq}} if copy.seq is not None else None
        sender.send(inbound_task(copy.queue), copy.queue, copy.body, copy.body["message_id"], extra)


def _one(
    conn: Connection, name: str, settings: Settings, now: datetime
) -> tuple[list[Copy], list[Copy], Check | None] | None:
    query = select(subscriptions).where(
        subscriptions.c.name == name, subscriptions.c.active.is_(True)
    )
    if is_postgresql(conn):  # several dispatchers never take the same subscription
        query = query.with_for_update(skip_locked=True)
    sub = conn.execute(query).one_or_none()
    if sub is None:
        return None
    live, position, head = _live(conn, sub, settings.page)
    catch_up, resend, backfill_from = _catch_up(conn, sub, settings.page)
    check = _check_due(sub, head, now, settings.check_interval)
    changes: dict[str, Any] = {}
    if position != sub.position or head != sub.head:
        changes.update(position=position, head=head)
    if sub.resend or sub.backfill_from is not None:  # work was in hand: record progress
        changes.update(
            resend=resend,
            backfill_from=backfill_from,
            backfill_to=sub.backfill_to if backfill_from is not None else None,
            resent=sub.resent + len(catch_up),
        )
        if sub.resend:
            changes["resent_at"] = now
    if check is not None:
        changes["checked_at"] = now
    if changes:
        conn.execute(update(subscriptions).where(subscriptions.c.name == name).values(**changes))
    return live, catch_up, check


def _live(conn: Connection, sub: Any, page: int) -> tuple[list[Copy], int, int]:
    """The next page of new events, numbered, and where the subscription then stands."""
    top = conn.execute(select(func.max(event_log.c.id))).scalar_one_or_none() or 0
    if top <= sub.position:
        return [], sub.position, sub.head
    rows = conn.execute(
        select(event_log.c.id, event_log.c.body)
        .where(
            event_log.c.id > sub.position,
            event_log.c.id <= top,
            event_log.c.event_type.in_(sub.events),
        )
        .order_by(event_log.c.id)
        .limit(page)
    ).all()
    position = rows[-1].id if len(rows) >= page else top
    if not rows:
        return [], position, sub.head
    numbered = [(sub.head + i, row) for i, row in enumerate(rows, start=1)]
    conn.execute(
        insert(event_deliveries),
        [{"subscription": sub.name, "seq": seq, "event_log_id": row.id} for seq, row in numbered],
    )
    copies = [Copy(sub.queue, row.body, seq) for seq, row in numbered]
    return copies, position, numbered[-1][0]


def _catch_up(
    conn: Connection, sub: Any, page: int
) -> tuple[list[Copy], list[list[int]] | None, int | None]:
    """One page of the catch-up in hand: numbers to send again first, then a backfill.
    Returns the copies and what is left of each."""
    if sub.resend:
        ranges = [list(r) for r in sub.resend]
        wanted: list[int] = []
        while ranges and len(wanted) < page:
            first, last = ranges[0]
            take = min(last, first + page - len(wanted) - 1)
            wanted.extend(range(first, take + 1))
            if take >= last:
                ranges.pop(0)
            else:
                ranges[0] = [take + 1, last]
        rows = conn.execute(
            select(event_deliveries.c.seq, event_log.c.body)
            .join(event_log, event_log.c.id == event_deliveries.c.event_log_id)
            .where(event_deliveries.c.subscription == sub.name, event_deliveries.c.seq.in_(wanted))
            .order_by(event_deliveries.c.seq)
        ).all()
        copies = [Copy(sub.queue, row.body, row.seq) for row in rows]
        log.info("copies_resent", subscription=sub.name, count=len(copies), asked=len(wanted))
        return copies, ranges or None, sub.backfill_from
    if sub.backfill_from is not None:
        found = conn.execute(
            select(event_log.c.id, event_log.c.body, event_deliveries.c.seq)
            .outerjoin(
                event_deliveries,
                and_(
                    event_deliveries.c.subscription == sub.name,
                    event_deliveries.c.event_log_id == event_log.c.id,
                ),
            )
            .where(
                event_log.c.id >= sub.backfill_from,
                event_log.c.id <= sub.backfill_to,
                event_log.c.event_type.in_(sub.events),
            )
            .order_by(event_log.c.id)
            .limit(page)
        ).all()
        done = len(found) < page
        copies = [Copy(sub.queue, row.body, row.seq) for row in found]
        next_from = None if done or not found else found[-1].id + 1
        log.info("copies_backfilled", subscription=sub.name, count=len(copies), done=done)
        return copies, None, next_from
    return [], None, None


def _check_due(sub: Any, head: int, now: datetime, interval: float) -> Check | None:
    """A check when copies were sent that the reactor has not said it holds, at most
    once an interval, and (for a reactor that does not answer, e.g. stopped) only every
    ten intervals, so its queue does not fill with checks."""
    if head <= sub.acknowledged:
        return None
    checked = as_utc(sub.checked_at)
    seen = as_utc(sub.last_seen_at)
    if checked is not None:
        wait = interval if seen is not None and seen >= checked else 10 * interval
        if now - checked < timedelta(seconds=wait):
            return None
    return Check(sub.name, sub.queue, head, sub.acknowledged, now)
