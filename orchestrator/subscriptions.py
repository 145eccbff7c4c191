"""Reactors' durable subscriptions to the orchestrator's events, on one connection: announce
(subscribe), retire (unsubscribe), acknowledge what a reactor holds, ask for a backfill,
list. The caller owns the transaction. The dispatcher (orchestrator/event_dispatch.py)
sends the copies; the saga path never reads any of this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from messaging.contracts import MessageKind, catalog
from messaging.database import as_utc, is_postgresql
from messaging.subscriptions import Announcement, parse_start
from orchestrator.event_tables import event_deliveries, event_log, subscriptions

PLUGIN = "plugin"  # an entry point installed where the dispatcher runs
ANNOUNCED = "announced"  # the reactor said so itself when it started


class SubscriptionRefused(ValueError):
    pass


class UnknownSubscription(LookupError):
    pass


def published_events() -> frozenset[str]:
    """The event types this platform publishes (the catalog's events)."""
    return frozenset(t for t, cls in catalog().types.items() if cls.kind is MessageKind.EVENT)


def _locked(conn: Connection, name: str) -> Row[Any] | None:
    query = select(subscriptions).where(subscriptions.c.name == name)
    if is_postgresql(conn):
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def start_position(conn: Connection, start: str) -> int:
    """The event_log id a new subscription reads on from."""
    if start == "earliest":
        return 0
    since = as_utc(parse_start(start))
    query = select(func.max(event_log.c.id))
    if since is not None:
        query = query.where(event_log.c.created_at < since)
    return int(conn.execute(query).scalar_one_or_none() or 0)


def subscribe(
    conn: Connection, announcement: Announcement, origin: str, now: datetime | None = None
) -> dict[str, Any]:
    """Create, re-activate or refresh a subscription. A name held by another owner is
    refused; an event type nobody publishes is accepted with a warning."""
    now = now or datetime.now(UTC)
    name = announcement.name
    warnings = [
        f"no service publishes {event!r}"
        for event in announcement.events
        if event not in published_events()
    ]
    row = _locked(conn, name)
    seen = now if origin == ANNOUNCED else None
    if row is None:
        position = start_position(conn, announcement.start)
        conn.execute(
            insert(subscriptions).values(
                name=name,
                queue=f"reactor.{name}",
                events=announcement.events,
                owner=announcement.owner,
                origin=origin,
                start=announcement.start,
                active=True,
                position=position,
                head=0,
                acknowledged=0,
                last_seen_at=seen,
                warnings=warnings or None,
                resent=0,
                created_at=now,
                updated_at=now,
            )
        )
    elif row.active and row.owner != announcement.owner:
        raise SubscriptionRefused(
            f"reactor name {name!r} is held by another reactor (package {row.owner!r}, "
            f"subscribed {row.created_at:%Y-%m-%d %H:%M}); choose another name, or retire "
            f"that one first: sagactl reactors unsubscribe {name}"
        )
    elif not row.active:  # a retired name taken up again: numbering goes on from head
        if origin == PLUGIN:
            return view(conn, row)  # an installed plug-in never undoes a retirement
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.name == name)
            .values(
                events=announcement.events,
                owner=announcement.owner,
                origin=origin,
                start=announcement.start,
                active=True,
                position=start_position(conn, announcement.start),
                acknowledged=row.head,
                last_seen_at=seen,
                checked_at=None,
                resend=None,
                backfill_from=None,
                backfill_to=None,
                warnings=warnings or None,
                created_at=now,
                updated_at=now,
            )
        )
    elif origin == ANNOUNCED:  # the same reactor again: it keeps its position
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.name == name)
            .values(
                events=announcement.events,
                last_seen_at=now,
                checked_at=None,  # check it soon: it may have lost copies in its restart
                warnings=warnings or None,
                updated_at=now,
            )
        )
    return view(conn, _must(conn, name))


def unsubscribe(conn: Connection, name: str, now: datetime | None = None) -> dict[str, Any]:
    """Stop the copies (the row stays, retired, so numbering never restarts)."""
    _must(conn, name, lock=True)
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.name == name)
        .values(
            active=False,
            resend=None,
            backfill_from=None,
            backfill_to=None,
            updated_at=now or datetime.now(UTC),
        )
    )
    return view(conn, _must(conn, name))


def acknowledge(
    conn: Connection,
    name: str,
    contiguous: int,
    missing: Sequence[Sequence[int]],
    *,
    check_sent_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """A reactor's answer to a check: it holds every copy up to ``contiguous`` and lacks
    ``missing``. The missing ranges replace any resend in hand: one catch-up at a time.
    An answer to a check sent before the last resend could not see that resend: its
    missing numbers are stale and left out."""
    row = _locked(conn, name)
    if row is None or not row.active:
        return
    resent_at = as_utc(row.resent_at)
    check_sent_at = as_utc(check_sent_at)
    stale = resent_at is not None and (check_sent_at is None or check_sent_at < resent_at)
    ranges = [
        [max(int(first), row.acknowledged + 1), min(int(last), row.head)] for first, last in missing
    ]
    ranges = [r for r in ranges if r[0] <= r[1]]
    held = max(row.acknowledged, min(int(contiguous), row.head))
    changes: dict[str, Any] = {"acknowledged": held, "last_seen_at": now or datetime.now(UTC)}
    if not stale:
        changes["resend"] = ranges or None
    conn.execute(update(subscriptions).where(subscriptions.c.name == name).values(**changes))
    if held > row.acknowledged:  # never asked for again: which event they carried can go
        conn.execute(
            delete(event_deliveries).where(
                event_deliveries.c.subscription == name, event_deliveries.c.seq <= held
            )
        )


def request_backfill(conn: Connection, name: str, since: datetime | None) -> dict[str, Any]:
    """Send the reactor again every logged event of its types since ``since`` (all when
    None) up to where live delivery stands; replaces a backfill in hand."""
    row = _must(conn, name, lock=True)
    if not row.active:
        raise SubscriptionRefused(f"reactor {name!r} is unsubscribed: it gets no copies")
    query = select(func.min(event_log.c.id)).where(event_log.c.id <= row.position)
    since = as_utc(since)
    if since is not None:
        query = query.where(event_log.c.created_at >= since)
    first = conn.execute(query).scalar_one_or_none()
    count = 0
    if first is not None:
        count = _count(conn, row.events, first, row.position)
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.name == name)
        .values(
            backfill_from=first if count else None,
            backfill_to=row.position if count else None,
        )
    )
    return {"name": name, "events": count}


def listing(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(subscriptions).order_by(subscriptions.c.name)).all()
    return [view(conn, row) for row in rows]


def view(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    """A subscription as operators see it. ``behind``: copies not yet sent plus copies
    sent that the reactor has not yet said it holds."""
    undispatched = _count(conn, row.events, row.position + 1, None) if row.active else 0
    return {
        "name": row.name,
        "queue": row.queue,
        "events": list(row.events),
        "origin": row.origin,
        "owner": row.owner,
        "active": row.active,
        "start": row.start,
        "position": row.position,
        "sent": row.head,
        "acknowledged": row.acknowledged,
        "behind": undispatched + (row.head - row.acknowledged if row.active else 0),
        "resent": row.resent,
        "catching_up": bool(row.resend) or row.backfill_from is not None,
        "last_seen_at": _iso(row.last_seen_at),
        "created_at": _iso(row.created_at),
        "warnings": list(row.warnings or ()),
    }


def _count(conn: Connection, events: Iterable[str], first: int, last: int | None) -> int:
    query = (
        select(func.count())
        .select_from(event_log)
        .where(event_log.c.id >= first, event_log.c.event_type.in_(sorted(events)))
    )
    if last is not None:
        query = query.where(event_log.c.id <= last)
    return int(conn.execute(query).scalar_one())


def _must(conn: Connection, name: str, lock: bool = False) -> Row[Any]:
    row = (
        _locked(conn, name)
        if lock
        else conn.execute(select(subscriptions).where(subscriptions.c.name == name)).one_or_none()
    )
    if row is None:
        raise UnknownSubscription(f"no reactor named {name!r} has subscribed")
    return row


def _iso(value: datetime | None) -> str | None:
    aware = as_utc(value)
    return aware.isoformat() if aware is not None else None
