"""The email reactor's own table: what it sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, MetaData, Row, String, Table, insert, select

from messaging.contracts.read_models import TrailEntry

metadata = MetaData()

sent_emails = Table(
    "sent_emails",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


def record(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sent_emails).values(sent_at=datetime.now(UTC), **values))


def sent_for(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    return [{**row._mapping, "sent_at": row.sent_at.isoformat()} for row in _sent(conn, order_id)]


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """The emails sent for an order (``reactor.email.order_trail``)."""
    return [
        TrailEntry(at=row.sent_at, what=f"{row.kind} email sent", detail=row.recipient)
        for row in _sent(conn, order_id)
    ]


def _sent(conn: Connection, order_id: str) -> Sequence[Row[Any]]:
    query = select(sent_emails).where(sent_emails.c.order_id == order_id)
    return conn.execute(query.order_by(sent_emails.c.sent_at)).all()
