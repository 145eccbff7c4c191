"""Fraud's own table: one screening per order, with its verdict and what it rested on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from messaging.consumer import Conflict
from messaging.contracts.read_models import TrailEntry
from participants.fraud.rules import Verdict

metadata = MetaData()

screenings = Table(
    "screenings",
    metadata,
    Column("screening_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, unique=True),
    Column("score", Integer, nullable=False),
    Column("threshold", Integer, nullable=False),  # FRAUD_REJECT_SCORE when screened
    Column("verdict", String(20), nullable=False),  # accepted | rejected
    Column("reasons", JSON, nullable=False),  # the rules that fired, one line each
    Column("at", DateTime(timezone=True), nullable=False),
)


def screening_of(conn: Connection, order_id: str) -> tuple[str, Verdict] | None:
    """An order's screening, if it was screened: its id and verdict."""
    row = conn.execute(select(screenings).where(screenings.c.order_id == order_id)).one_or_none()
    if row is None:
        return None
    return row.screening_id, Verdict(row.score, row.threshold, tuple(row.reasons))


def add_screening(conn: Connection, screening_id: str, order_id: str, verdict: Verdict) -> None:
    try:
        conn.execute(
            insert(screenings).values(
                screening_id=screening_id,
                order_id=order_id,
                score=verdict.score,
                threshold=verdict.threshold,
                verdict=verdict.outcome,
                reasons=list(verdict.reasons),
                at=datetime.now(UTC),
            )
        )
    except IntegrityError:  # the same order screened at the same moment by another worker
        raise Conflict(f"the screening of order {order_id} was written concurrently") from None


def screenings_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(screenings).where(screenings.c.order_id == order_id)).all()
    return [
        {
            "screening_id": row.screening_id,
            "score": row.score,
            "threshold": row.threshold,
            "verdict": row.verdict,
            "reasons": list(row.reasons),
            "at": row.at.isoformat(),
        }
        for row in rows
    ]


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """What fraud did for an order, with times: its screening."""
    rows = conn.execute(select(screenings).where(screenings.c.order_id == order_id)).all()
    return [
        TrailEntry(
            at=row.at,
            what=f"screened: {row.verdict}",
            detail=f"score {row.score} (rejects at {row.threshold})"
            + (f": {'; '.join(row.reasons)}" if row.reasons else ""),
        )
        for row in rows
    ]
