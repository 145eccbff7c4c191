"""Payment's own tables: one row per charge, with the running sum of its refunds, and one
row per refund."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    MetaData,
    Row,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)

from messaging.contracts.money import format_money
from messaging.contracts.read_models import TrailEntry
from messaging.database import is_postgresql
from participants.payment.rules import PaymentRecord, Refund, sender_reference

metadata = MetaData()

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    # unknown | charged | declined | partially_refunded | refunded
    Column("status", String(20), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),  # the refunds' sum
    Column("currency", String(3), nullable=False),
    Column("authorization", String(64), nullable=False),
    # Written only before the refunds table existed (one refund per payment, always in
    # full): read as that refund when the same full refund is asked for again.
    Column("refund_reference", String(64), nullable=True),
    Column("charged_at", DateTime(timezone=True), nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=True),  # the latest refund's
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", String(64), primary_key=True),
    Column("payment_id", ForeignKey("payments.payment_id"), nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    # the sender's idempotency key, or one derived from the command (rules.refund_key)
    Column("reference", String(100), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("payment_id", "reference"),
)


def add_charge(
    conn: Connection,
    payment_id: str,
    *,
    order_id: str,
    amount_cents: int,
    currency: str,
    authorization: str,
    status: str = "charged",
) -> None:
    conn.execute(
        insert(payments).values(
            payment_id=payment_id,
            order_id=order_id,
            status=status,
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
    return PaymentRecord(row.status, row.authorization, row.amount_cents, row.refunded_cents)


def refund_under(conn: Connection, payment_id: str, reference: str) -> Refund | None:
    """The refund already made for this payment under this reference, if any."""
    row = conn.execute(
        select(refunds.c.refund_id, refunds.c.amount_cents).where(
            refunds.c.payment_id == payment_id, refunds.c.reference == reference
        )
    ).one_or_none()
    return None if row is None else Refund(row.refund_id, row.amount_cents)


def earlier_full_refund(conn: Connection, payment_id: str) -> Refund | None:
    """The one refund of a payment refunded in full before the refunds table existed."""
    row = conn.execute(
        select(payments.c.refund_reference, payments.c.refunded_cents).where(
            payments.c.payment_id == payment_id,
            payments.c.status == "refunded",
            payments.c.refund_reference.is_not(None),
        )
    ).one_or_none()
    return None if row is None else Refund(row.refund_reference, row.refunded_cents)


def add_refund(conn: Connection, payment_id: str, reference: str, refund: Refund) -> None:
    order_id = select(payments.c.order_id).where(payments.c.payment_id == payment_id)
    conn.execute(
        insert(refunds).values(
            refund_id=refund.refund_id,
            payment_id=payment_id,
            order_id=order_id.scalar_subquery(),
            reference=reference,
            amount_cents=refund.amount_cents,
            created_at=datetime.now(UTC),
        )
    )


def mark_refunded(conn: Connection, payment_id: str, amount_cents: int, status: str) -> None:
    """Add a refund's amount to the payment's running sum and set its new status."""
    conn.execute(
        update(payments)
        .where(payments.c.payment_id == payment_id)
        .values(
            status=status,
            refunded_cents=payments.c.refunded_cents + amount_cents,
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
        if row.status in ("charged", "partially_refunded", "refunded")
    )
    return {"order_id": order_id, "payments": items, "net_charged_cents": net}


def _refund_rows(conn: Connection, order_id: str) -> Sequence[Row[Any]]:
    return conn.execute(
        select(refunds, payments.c.currency)
        .join(payments, payments.c.payment_id == refunds.c.payment_id)
        .where(refunds.c.order_id == order_id)
        .order_by(refunds.c.created_at)
    ).all()


def refunds_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = _refund_rows(conn, order_id)
    return [
        {
            "refund_id": row.refund_id,
            "payment_id": row.payment_id,
            "reference": sender_reference(row.reference),  # None: the sender gave none
            "amount_cents": row.amount_cents,
            "currency": row.currency,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """What payment did for an order, with times: charges, then each refund."""
    rows = conn.execute(
        select(payments).where(payments.c.order_id == order_id).order_by(payments.c.charged_at)
    ).all()
    refunded = _refund_rows(conn, order_id)
    with_rows = {r.payment_id for r in refunded}
    trail = []
    for p in rows:
        money = f"{format_money(p.amount_cents, p.currency)} ({p.payment_id})"
        what = CHARGE_OUTCOMES.get(p.status, "charged")
        trail.append(TrailEntry(at=p.charged_at, what=what, detail=money))
        if p.refunded_at and p.payment_id not in with_rows:
            # refunded before refunds had rows of their own: once, in full
            trail.append(TrailEntry(at=p.refunded_at, what="refunded", detail=money))
    for r in refunded:
        sender = sender_reference(r.reference)
        reference = f", reference {sender}" if sender else ""
        detail = (
            f"{format_money(r.amount_cents, r.currency)} ({r.payment_id}, {r.refund_id}{reference})"
        )
        trail.append(TrailEntry(at=r.created_at, what="refunded", detail=detail))
    return trail


CHARGE_OUTCOMES = {"unknown": "charge outcome unknown", "declined": "charge declined"}


def add_unknown(
    conn: Connection, payment_id: str, order_id: str, amount_cents: int, currency: str
) -> None:
    """A charge whose outcome the network did not tell us: no authorization yet."""
    add_charge(
        conn,
        payment_id,
        order_id=order_id,
        amount_cents=amount_cents,
        currency=currency,
        authorization="",
        status="unknown",
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
