"""Inbox: the ids of messages already handled, written in the same transaction as their
effect, so a redelivered message changes nothing and gets the same answer again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update

from messaging.database import insert_ignoring, reading
from messaging.tables import inbox

# Built once (messaging.database.insert_ignoring says why); executed with parameters.
_CLAIM = {
    dialect: statement.returning(inbox.c.message_id)
    for dialect, statement in insert_ignoring(inbox, "message_id").items()
}
_STORE_RESPONSE = update(inbox).where(inbox.c.message_id == bindparam("b_message_id"))


def claim(conn: Connection, message_id: str, message_type: str) -> bool:
    """Record the message as handled. False if it was handled before.

    The insert comes first so that two concurrent deliveries serialise on the key.
    """
    values = {
        "message_id": message_id,
        "message_type": message_type,
        "received_at": datetime.now(UTC),
    }
    return conn.execute(_CLAIM[conn.dialect.name], values).first() is not None


def forget(conn: Connection, message_id: str) -> None:
    """Un-claim a message that was looked at but not applied, so that a later copy of it
    is judged again (a reply that came while its saga could not take it)."""
    conn.execute(delete(inbox).where(inbox.c.message_id == message_id))


def store_response(conn: Connection, message_id: str, response: list[dict[str, Any]]) -> None:
    conn.execute(_STORE_RESPONSE, {"b_message_id": message_id, "response": response})


def stored_response(conn: Connection, message_id: str) -> list[dict[str, Any]]:
    value = conn.execute(
        select(inbox.c.response).where(inbox.c.message_id == message_id)
    ).scalar_one_or_none()
    return list(value or [])


def count(engine: Engine) -> int:
    """Messages this service has handled (one inbox row each)."""
    with reading(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(inbox)).scalar_one())
