"""The email reactor's own table: what it sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, MetaData, String, Table, insert, select

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
    rows = conn.execute(
        select(sent_emails)
        .where(sent_emails.c.order_id == order_id)
        .order_by(sent_emails.c.sent_at)
    ).all()
    return [{**row._mapping, "sent_at": row.sent_at.isoformat()} for row in rows]
