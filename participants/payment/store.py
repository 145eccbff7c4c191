"""Payment's own tables: one row per charge, refunds recorded on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)

from messaging.database import is_postgresql
from participants.payment.rules import PaymentRecord

metadata = MetaData()

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # unknown | charged | declined | refunded
    Column("amount_cents", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False),
    Column("authorization", String(64), nullable=False),
    Column("refund_reference", String(64), nullable=True),
    Column("charged_at", DateTime(timezone=True), nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=True),
)


def add_charge(
    conn: Connection,
    payment_id: str,
    order_id: str,
    amount_cents: int,
    currency: str,
    authorization: str,
) -> None:
    conn.execute(
        insert(payments).values(
            payment_id=payment_id,
            order_id=order_id,
            status="charged",
            amount_cents=amount_cents,
            currency=currency,
            authorization=authorization,
            charged_at=datetime.now(UTC),
        )
    )


def payment_for_update(conn: Connection, payment_id: str) -> PaymentRecord | None:
    query = select(payments).where(payments.c.payment_id == payment_id)
    if is_postgresql(conn):
        query = query.with_for_update()
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return PaymentRecord(row.status, row.authorization, row.amount_cents, row.refund_reference)


def mark_refunded(conn: Connection, payment_id: str, amount_cents: int, reference: str) -> None:
    conn.execute(
        update(payments)
        .where(payments.c.payment_id == payment_id)
        .values(
            status="refunded",
            refunded_cents=amount_cents,
            refund_reference=reference,
            refunded_at=datetime.now(UTC),
        )
    )


def payments_of(conn: Connection, order_id: str) -> dict[str, Any]:
    rows = conn.execute(
        select(payments).where(payments.c.order_id == order_id).order_by(payments.c.charged_at)
    ).all()
    items = [
        {
            "payment_id": row.payment_id,
            "status": row.status,
            "amount_cents": row.amount_cents,
            "refunded_cents": row.refunded_cents,
            "currency": row.currency,
            "charged_at": row.charged_at.isoformat(),
            "refunded_at": row.refunded_at.isoformat() if row.refunded_at else None,
        }
        for row in rows
    ]
    net = sum(
        row.amount_cents - row.refunded_cents
        for row in rows
        if row.status in ("charged", "refunded")
    )
    return {"order_id": order_id, "payments": items, "net_charged_cents": net}


def add_unknown(
    conn: Connection, payment_id: str, order_id: str, amount_cents: int, currency: str
) -> None:
    """A charge whose outcome the network did not tell us: no authorization yet."""
    conn.execute(
        insert(payments).values(
            payment_id=payment_id,
            order_id=order_id,
            status="unknown",
            amount_cents=amount_cents,
            currency=currency,
            authorization="",
            charged_at=datetime.now(UTC),
        )
    )


def settle(conn: Connection, payment_id: str, status: str, authorization: str = "") -> None:
    """Record the outcome of an unknown charge once the network tells it."""
    conn.execute(
        update(payments)
        .where(payments.c.payment_id == payment_id)
        .values(status=status, authorization=authorization)
    )


def charge_of(conn: Connection, payment_id: str) -> tuple[str, str, int, str] | None:
    """order id, status, amount and currency of a payment, locked for update."""
    query = select(payments).where(payments.c.payment_id == payment_id)
    if is_postgresql(conn):
        query = query.with_for_update()
    row = conn.execute(query).one_or_none()
    return None if row is None else (row.order_id, row.status, row.amount_cents, row.currency)
