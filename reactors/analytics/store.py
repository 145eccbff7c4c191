"""The analytics reactor's own tables: order facts and daily totals, return facts and
refunds per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)

from messaging.contracts.money import format_money
from messaging.contracts.read_models import TrailEntry
from messaging.database import dialect_insert

metadata = MetaData()

order_facts = Table(
    "order_facts",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),  # confirmed | cancelled
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("units", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("order_id", "outcome", name="uq_order_facts_order_outcome"),
)

daily_sales = Table(
    "daily_sales",
    metadata,
    Column("day", Date, primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("revenue_cents", BigInteger, nullable=False),
    Column("cancelled", Integer, nullable=False),
)

return_facts = Table(
    "return_facts",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("return_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),  # completed | rejected
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("refund_cents", BigInteger, nullable=False),
    Column("units", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("return_id", "outcome", name="uq_return_facts_return_outcome"),
)

refunds_per_day = Table(
    "refunds_per_day",
    metadata,
    Column("day", Date, primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("refunds", Integer, nullable=False),  # refunds paid out
    Column("refunded_cents", BigInteger, nullable=False),
    Column("rejected", Integer, nullable=False),  # returns rejected
)


def add_fact(conn: Connection, **values: Any) -> None:
    conn.execute(insert(order_facts).values(**values))


def add_return_fact(conn: Connection, **values: Any) -> None:
    conn.execute(insert(return_facts).values(**values))


def count_in_day(
    conn: Connection, day: date, currency: str, *, revenue: int, confirmed: bool
) -> None:
    """Add one order to its day's totals (an upsert, so the first order creates the row)."""
    orders, cancelled = (1, 0) if confirmed else (0, 1)
    counts = {"orders": orders, "revenue_cents": revenue, "cancelled": cancelled}
    _add_to_day(conn, daily_sales, {"day": day, "currency": currency}, counts)


def count_refunds(
    conn: Connection, day: date, *, currency: str, refunds: int, refunded_cents: int, rejected: int
) -> None:
    """Add to a day's refunds (an upsert, so the first return of the day creates the row)."""
    counts = {"refunds": refunds, "refunded_cents": refunded_cents, "rejected": rejected}
    _add_to_day(conn, refunds_per_day, {"day": day, "currency": currency}, counts)


def _add_to_day(
    conn: Connection, table: Table, key: dict[str, Any], counts: dict[str, int]
) -> None:
    """Add ``counts`` to the row of ``key`` in a per-day table, creating it if need be."""
    statement = dialect_insert(conn, table).values(**key, **counts)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + value for name, value in counts.items()},
        )
    )


def totals(conn: Connection, day: date | None = None) -> list[dict[str, Any]]:
    return _per_day(conn, daily_sales, day)


def refunds(conn: Connection, day: date | None = None) -> list[dict[str, Any]]:
    return _per_day(conn, refunds_per_day, day)


def _per_day(conn: Connection, table: Table, day: date | None) -> list[dict[str, Any]]:
    query = select(table).order_by(table.c.day, table.c.currency)
    if day is not None:
        query = query.where(table.c.day == day)
    return [{**row._mapping, "day": row.day.isoformat()} for row in conn.execute(query)]


def facts_for(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    return [_fact(row) for row in _facts_of(conn, order_facts, order_id)]


def _facts_of(conn: Connection, table: Table, order_id: str) -> Sequence[Row[Any]]:
    return conn.execute(select(table).where(table.c.order_id == order_id)).all()


def _fact(row: Row[Any]) -> dict[str, Any]:
    return {**row._mapping, "day": row.day.isoformat(), "occurred_at": row.occurred_at.isoformat()}


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """The facts recorded for an order and its returns (``reactor.analytics.order_trail``)."""
    trail = [
        TrailEntry(
            at=f.occurred_at,
            what=f"fact recorded: {f.outcome}",
            detail=f"{format_money(f.total_cents, f.currency)} on {f.day.isoformat()}",
        )
        for f in _facts_of(conn, order_facts, order_id)
    ]
    for r in _facts_of(conn, return_facts, order_id):
        refund = format_money(r.refund_cents, r.currency)
        trail.append(
            TrailEntry(
                at=r.occurred_at,
                what=f"return fact recorded: {r.outcome}",
                detail=f"return {r.return_id}: refund {refund} on {r.day.isoformat()}",
            )
        )
    return trail
