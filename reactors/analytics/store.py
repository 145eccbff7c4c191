"""The analytics reactor's own tables: order facts and daily totals, return facts and
refunds per day."""

from __future__ import annotations

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
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)

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


def count_in_day(conn: Connection, day: date, currency: str, revenue: int, confirmed: bool) -> None:
    """Add one order to its day's totals (an upsert, so the first order creates the row)."""
    orders, cancelled = (1, 0) if confirmed else (0, 1)
    statement = dialect_insert(conn, daily_sales).values(
        day=day, currency=currency, orders=orders, revenue_cents=revenue, cancelled=cancelled
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "currency"],
            set_={
                "orders": daily_sales.c.orders + orders,
                "revenue_cents": daily_sales.c.revenue_cents + revenue,
                "cancelled": daily_sales.c.cancelled + cancelled,
            },
        )
    )


def add_return_fact(conn: Connection, **values: Any) -> None:
    conn.execute(insert(return_facts).values(**values))


def count_refunds(
    conn: Connection, day: date, currency: str, refunds: int, refunded_cents: int, rejected: int
) -> None:
    """Add to a day's refunds (an upsert, so the first return of the day creates the row)."""
    statement = dialect_insert(conn, refunds_per_day).values(
        day=day,
        currency=currency,
        refunds=refunds,
        refunded_cents=refunded_cents,
        rejected=rejected,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "currency"],
            set_={
                "refunds": refunds_per_day.c.refunds + refunds,
                "refunded_cents": refunds_per_day.c.refunded_cents + refunded_cents,
                "rejected": refunds_per_day.c.rejected + rejected,
            },
        )
    )


def totals(conn: Connection, day: date | None = None) -> list[dict[str, Any]]:
    query = select(daily_sales).order_by(daily_sales.c.day, daily_sales.c.currency)
    if day is not None:
        query = query.where(daily_sales.c.day == day)
    return [{**row._mapping, "day": row.day.isoformat()} for row in conn.execute(query)]


def facts_for(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(order_facts).where(order_facts.c.order_id == order_id)).all()
    return [
        {**row._mapping, "day": row.day.isoformat(), "occurred_at": row.occurred_at.isoformat()}
        for row in rows
    ]


def refunds(conn: Connection, day: date | None = None) -> list[dict[str, Any]]:
    table = refunds_per_day
    query = select(table).order_by(table.c.day, table.c.currency)
    if day is not None:
        query = query.where(table.c.day == day)
    return [{**row._mapping, "day": row.day.isoformat()} for row in conn.execute(query)]


def return_facts_for(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    query = select(return_facts).where(return_facts.c.order_id == order_id)
    return [
        {**row._mapping, "day": row.day.isoformat(), "occurred_at": row.occurred_at.isoformat()}
        for row in conn.execute(query)
    ]
