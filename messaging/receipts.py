"""A reactor's receipts: which numbered copies of its subscription it has seen, so that a
check from the dispatcher ("I have sent up to N") finds exactly the numbers it lacks.

Kept small: numbers up to the contiguous watermark are folded into one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from messaging.database import insert_ignoring
from messaging.subscriptions import missing_ranges
from messaging.tables import delivery_receipts, delivery_watermark

_RECORD = insert_ignoring(delivery_receipts, "seq")  # built once: messaging.database


def record(conn: Connection, delivery: Mapping[str, Any], event_id: str | None) -> None:
    """Note a numbered copy as seen (again is harmless)."""
    seq = delivery.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return  # a copy outside the numbering (a backfill of older events, a replay)
    values = {"seq": seq, "event_id": event_id, "received_at": datetime.now(UTC)}
    conn.execute(_RECORD[conn.dialect.name], values)


@dataclass(frozen=True)
class Check:
    contiguous: int  # every number up to this one is held
    missing: list[list[int]]  # [first, last] ranges up to the head, a bounded page


def check(conn: Connection, head: int, after: int = 0, limit: int = 1000) -> Check:
    """Compare what is held with ``head`` (the highest number sent), fold what is now
    contiguous into the watermark and say which numbers are missing. Numbers up to
    ``after`` are settled already (acknowledged before, or from before a re-subscription)."""
    contiguous = conn.execute(
        select(delivery_watermark.c.contiguous).where(delivery_watermark.c.id == 1)
    ).scalar_one_or_none()
    known = contiguous is not None
    contiguous = max(int(contiguous or 0), after)
    held = list(
        conn.execute(
            select(delivery_receipts.c.seq)
            .where(delivery_receipts.c.seq > contiguous)
            .order_by(delivery_receipts.c.seq)
        ).scalars()
    )
    for seq in held:
        if seq != contiguous + 1:
            break
        contiguous = seq
    conn.execute(delete(delivery_receipts).where(delivery_receipts.c.seq <= contiguous))
    if known:
        conn.execute(
            update(delivery_watermark)
            .where(delivery_watermark.c.id == 1)
            .values(contiguous=contiguous)
        )
    else:
        conn.execute(delivery_watermark.insert().values(id=1, contiguous=contiguous))
    return Check(contiguous, missing_ranges(held, contiguous, head, limit))
