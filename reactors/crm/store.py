"""The CRM reactor's own tables: customers and their history of orders and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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

from messaging.contracts.read_models import TrailEntry
from messaging.database import dialect_insert

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("orders", Integer, nullable=False),
    Column("lifetime_value_cents", BigInteger, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

history = Table(
    "customer_history",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("event", String(40), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("note", String(500), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def upsert_customer(
    conn: Connection,
    customer_id: str,
    *,
    email: str,
    name: str,
    at: datetime,
    spent: int,
    order: int,
) -> None:
    statement = dialect_insert(conn, customers).values(
        customer_id=customer_id,
        email=email,
        name=name,
        orders=order,
        lifetime_value_cents=spent,
        first_seen=at,
        last_seen=at,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={
                "email": email,
                "name": name,
                "orders": customers.c.orders + order,
                "lifetime_value_cents": customers.c.lifetime_value_cents + spent,
                "last_seen": at,
            },
        )
    )


def append(conn: Connection, **values: Any) -> None:
    conn.execute(insert(history).values(**values))


def customer(conn: Connection, customer_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
    if row is None:
        return None
    entries = conn.execute(
        select(history).where(history.c.customer_id == customer_id).order_by(history.c.at)
    ).all()
    return {
        **row._mapping,
        "first_seen": row.first_seen.isoformat(),
        "last_seen": row.last_seen.isoformat(),
        "history": [{**e._mapping, "at": e.at.isoformat()} for e in entries],
    }


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """The history rows of an order (``reactor.crm.order_trail``)."""
    rows = conn.execute(
        select(history).where(history.c.order_id == order_id).order_by(history.c.at)
    ).all()
    return [
        TrailEntry(at=row.at, what=f"customer history: {row.event}", detail=row.note)
        for row in rows
    ]
