"""Dead letters: messages a service cannot handle are parked with the reason, never dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from messaging.database import reading
from messaging.tables import dead_letters


@dataclass(frozen=True)
class DeadLetter:
    id: int
    parked_at: datetime
    task_name: str
    message_id: str | None
    reason: str
    body: str
    status: str
    handled_at: datetime | None = None


def _storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters: keep them visible, escaped."""
    return text.replace("\x00", "\\x00")


def _as_text(body: Any) -> str:
    if isinstance(body, bytes):
        return _storable(body.decode("utf-8", errors="replace"))
    if isinstance(body, str):
        return _storable(body)
    try:
        return json.dumps(body, default=repr, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return _storable(repr(body))


def _message_id_of(body: Any) -> str | None:
    if isinstance(body, dict):
        value = body.get("message_id")
        if isinstance(value, str) and len(value) <= 64:
            return value
    return None


def park(engine: Engine, *, task_name: str, body: Any, reason: str) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(dead_letters).values(
                parked_at=datetime.now(UTC),
                task_name=task_name,
                message_id=_message_id_of(body),
                reason=_storable(reason[:10_000]),
                body=_as_text(body),
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


def list_parked(engine: Engine, limit: int = 100) -> list[DeadLetter]:
    with reading(engine) as conn:
        rows = conn.execute(
            select(dead_letters)
            .where(dead_letters.c.status == "parked")
            .order_by(dead_letters.c.id.desc())
            .limit(limit)
        ).all()
    return [DeadLetter(**row._mapping) for row in rows]


def count_parked(engine: Engine) -> int:
    with reading(engine) as conn:
        query = select(func.count()).where(dead_letters.c.status == "parked")
        return int(conn.execute(query).scalar_one())


def take_for_replay(engine: Engine, ids: list[int] | None, inbound_task: str) -> list[DeadLetter]:
    """Parked letters to re-drive (all parked ones when ``ids`` is None)."""
    with engine.begin() as conn:
        query = select(dead_letters).where(dead_letters.c.status == "parked")
        if ids is not None:
            query = query.where(dead_letters.c.id.in_(ids))
        rows = conn.execute(query.order_by(dead_letters.c.id)).all()
    return [DeadLetter(**row._mapping) for row in rows if row.task_name == inbound_task]


def mark_replayed(engine: Engine, letter_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == letter_id)
            .values(status="replayed", handled_at=datetime.now(UTC))
        )
