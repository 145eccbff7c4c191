"""Transactional outbox: messages are written with the state change that causes them and
published after commit. A row is marked published once the broker took it; rows left
unpublished by a crash are picked up by the relay (at-least-once)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from messaging.contracts import Envelope
from messaging.database import is_postgresql, reading
from messaging.routing import inbound_task
from messaging.tables import outbox
from messaging.tracing import current_trace_context

# Built once, executed with parameters (messaging.database.insert_ignoring says why).
_INSERT = insert(outbox)
_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("ids", expanding=True)), outbox.c.published_at.is_(None))
    .values(published_at=bindparam("at"), attempts=outbox.c.attempts + 1)
)


_LEFT_BEHIND = (
    select(outbox.c.id)
    .where(outbox.c.published_at.is_(None), outbox.c.created_at <= bindparam("cutoff"))
    .limit(1)
)


@dataclass(frozen=True)
class OutgoingMessage:
    task_name: str
    queue: str
    envelope: Envelope

    @classmethod
    def to_service(cls, service: str, envelope: Envelope) -> OutgoingMessage:
        return cls(task_name=inbound_task(service), queue=service, envelope=envelope)


@dataclass(frozen=True)
class PendingRow:
    id: int
    message_id: str
    task_name: str
    queue: str
    body: dict[str, Any]


class Publisher(Protocol):
    def publish(self, row: PendingRow) -> None: ...


class Marks(Protocol):
    """Marks published rows later, in batches (messaging/published_marks.py)."""

    def add(self, ids: Iterable[int]) -> None: ...


def batched(publisher: object) -> AbstractContextManager[object]:
    """The publisher's batch (messaging.service_app.CeleryPublisher.batch: the rows of
    one transaction in one round trip to Redis), or none for one that has no batches."""
    start = getattr(publisher, "batch", None)
    return start() if start is not None else nullcontext()


def add(conn: Connection, messages: Iterable[OutgoingMessage]) -> list[PendingRow]:
    """Write the messages in the caller's transaction; the rows, for ``publish_now``."""
    now = datetime.now(UTC)
    rows = []
    trace_context = current_trace_context()
    for message in messages:
        body = message.envelope.to_json_dict()
        if body.get("trace_context") is None:  # a stored message keeps its own trace
            body["trace_context"] = trace_context
        result = conn.execute(
            _INSERT,
            {
                "message_id": message.envelope.message_id,
                "message_type": message.envelope.type,
                "task_name": message.task_name,
                "queue": message.queue,
                "body": body,
                "created_at": now,
            },
        )
        assert result.inserted_primary_key is not None
        row_id = int(result.inserted_primary_key[0])
        rows.append(
            PendingRow(row_id, message.envelope.message_id, message.task_name, message.queue, body)
        )
    return rows


def add_raw(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[PendingRow]:
    """Re-enqueue messages stored earlier (an inbox response), as they were."""
    messages = [
        OutgoingMessage(row["task_name"], row["queue"], Envelope.model_validate(row["body"]))
        for row in rows
    ]
    return add(conn, messages)


def as_stored(messages: Iterable[OutgoingMessage]) -> list[dict[str, Any]]:
    return [
        {"task_name": m.task_name, "queue": m.queue, "body": m.envelope.to_json_dict()}
        for m in messages
    ]


def publish_now(
    engine: Engine,
    publisher: Publisher,
    rows: Sequence[PendingRow],
    marks: Marks | None = None,
) -> int:
    """Fast path, right after commit: publish the rows this transaction wrote, from
    memory, then mark them published in one statement, or hand them to ``marks`` (a
    worker's: it marks every row its process published in one statement a few times a
    second).

    The state change is committed already, so a broker or store error here is not the
    caller's failure: the rows stay unpublished and the relay sends them (a row sent
    before the error goes twice; receivers deduplicate).
    """
    if not rows:
        return 0
    try:
        with batched(publisher):
            for row in rows:
                publisher.publish(row)
        if marks is not None:
            marks.add(row.id for row in rows)
        else:
            with engine.begin() as conn:
                mark_published(conn, [row.id for row in rows])
    except Exception as exc:
        structlog.get_logger().warning("publish_deferred_to_relay", rows=len(rows), error=repr(exc))
        return 0
    return len(rows)


def relay_pending(
    engine: Engine, publisher: Publisher, *, older_than: float, batch: int = 200
) -> int:
    """Publish rows a crash left behind. Several relays never take the same row. Most
    passes find none: that look is a read, with no write lock (messaging.database.reading)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    with reading(engine) as conn:
        if conn.execute(_LEFT_BEHIND, {"cutoff": cutoff}).first() is None:
            return 0
    with engine.begin() as conn:
        query = (
            select(outbox)
            .where(outbox.c.published_at.is_(None), outbox.c.created_at <= cutoff)
            .order_by(outbox.c.id)
            .limit(batch)
        )
        if is_postgresql(conn):
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        return _publish(conn, publisher, rows)


def _publish(conn: Connection, publisher: Publisher, rows: Sequence[Any]) -> int:
    with batched(publisher):
        for row in rows:
            pending = PendingRow(row.id, row.message_id, row.task_name, row.queue, row.body)
            publisher.publish(pending)
    mark_published(conn, [row.id for row in rows])
    return len(rows)


def mark_published(conn: Connection, ids: Sequence[int]) -> None:
    if ids:
        conn.execute(_MARK_PUBLISHED, {"ids": list(ids), "at": datetime.now(UTC)})


def unpublished_count(conn: Connection) -> int:
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    return int(conn.execute(query).scalar_one())
