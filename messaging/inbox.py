"""Inbox: the ids of messages already handled, written in the same transaction as their
effect, so a redelivered message changes nothing and gets the same answer again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from messaging.database import dialect_insert
from messaging.tables import inbox


def claim(conn: Connection, message_id: str, message_type: str) -> bool:
    """Record the message as handled. False if it was handled before.

    The insert comes first so that two concurrent deliveries serialise on the key.
    """
    statement = (
        dialect_insert(conn, inbox)
        .values(message_id=message_id, message_type=message_type, received_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(inbox.c.message_id)
    )
    return conn.execute(statement).first() is not None


def forget(conn: Connection, message_id: str) -> None:
    """Un-claim a message that was looked at but not applied, so that a later copy of it
    is judged again (a reply that came while its saga could not take it)."""
    conn.execute(delete(inbox).where(inbox.c.message_id == message_id))


def store_response(conn: Connection, message_id: str, response: list[dict[str, Any]]) -> None:
    conn.execute(update(inbox).where(inbox.c.message_id == message_id).values(response=response))


def stored_response(conn: Connection, message_id: str) -> list[dict[str, Any]]:
    value = conn.execute(
        select(inbox.c.response).where(inbox.c.message_id == message_id)
    ).scalar_one_or_none()
    return list(value or [])


def count(engine: Engine) -> int:
    """Messages this service has handled (one inbox row each)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inbox)).scalar_one())
