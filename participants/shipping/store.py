"""Shipping's own tables: one row per created shipment, one per return label."""

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
    update,
)
from sqlalchemy.exc import IntegrityError

from messaging.consumer import Conflict
from messaging.contracts.read_models import TrailEntry
from messaging.database import is_postgresql
from participants.shipping.rules import ReturnLabel

metadata = MetaData()

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("address", JSON, nullable=False),
    Column("items", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # what the carrier was chosen by (choice.py); None for shipments made before the choice
    Column("weight_grams", Integer, nullable=True),
)

return_labels = Table(
    "return_labels",
    metadata,
    Column("label_id", String(64), primary_key=True),
    Column("return_id", String(64), nullable=False, unique=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # created | voided
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=True),
)


def add_shipment(
    conn: Connection,
    shipment_id: str,
    *,
    order_id: str,
    carrier: str,
    tracking_number: str,
    address: dict[str, Any],
    items: list[dict[str, Any]],
    weight_grams: int,
) -> None:
    conn.execute(
        insert(shipments).values(
            shipment_id=shipment_id,
            order_id=order_id,
            carrier=carrier,
            tracking_number=tracking_number,
            address=address,
            items=items,
            weight_grams=weight_grams,
            created_at=datetime.now(UTC),
        )
    )


def shipments_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(shipments).where(shipments.c.order_id == order_id).order_by(shipments.c.created_at)
    ).all()
    return [
        {
            "shipment_id": row.shipment_id,
            "carrier": row.carrier,
            "tracking_number": row.tracking_number,
            "address": row.address,
            "items": row.items,
            "weight_grams": row.weight_grams,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def _return_label(conn: Connection, *where: Any) -> ReturnLabel | None:
    query = select(return_labels).where(*where)
    if is_postgresql(conn):
        query = query.with_for_update()
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    return ReturnLabel(row.label_id, row.return_id, row.carrier, row.tracking_number, row.status)


def return_label_of(conn: Connection, return_id: str) -> ReturnLabel | None:
    """A return's label, locked for update."""
    return _return_label(conn, return_labels.c.return_id == return_id)


def return_label(conn: Connection, label_id: str, return_id: str) -> ReturnLabel | None:
    """The label ``label_id`` if it belongs to return ``return_id``, locked for update."""
    return _return_label(
        conn, return_labels.c.label_id == label_id, return_labels.c.return_id == return_id
    )


def add_return_label(conn: Connection, label: ReturnLabel, order_id: str) -> None:
    try:
        conn.execute(
            insert(return_labels).values(
                label_id=label.label_id,
                return_id=label.return_id,
                order_id=order_id,
                carrier=label.carrier,
                tracking_number=label.tracking_number,
                status=label.status,
                created_at=datetime.now(UTC),
            )
        )
    except IntegrityError:  # the same return handled at the same moment by another worker
        raise Conflict(
            f"return label of return {label.return_id} was written concurrently"
        ) from None


def mark_voided(conn: Connection, label_id: str) -> None:
    conn.execute(
        update(return_labels)
        .where(return_labels.c.label_id == label_id)
        .values(status="voided", voided_at=datetime.now(UTC))
    )


def return_labels_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(return_labels)
        .where(return_labels.c.order_id == order_id)
        .order_by(return_labels.c.created_at)
    ).all()
    return [
        {
            "label_id": row.label_id,
            "return_id": row.return_id,
            "carrier": row.carrier,
            "tracking_number": row.tracking_number,
            "status": row.status,
            "created_at": row.created_at.isoformat(),
            "voided_at": row.voided_at.isoformat() if row.voided_at else None,
        }
        for row in rows
    ]


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """What shipping did for an order, with times: shipments (with the carrier chosen)
    and return labels."""
    query = select(shipments).where(shipments.c.order_id == order_id)
    trail = [
        TrailEntry(at=s.created_at, what="shipment created", detail=_shipped(s))
        for s in conn.execute(query.order_by(shipments.c.created_at))
    ]
    query = select(return_labels).where(return_labels.c.order_id == order_id)
    for label in conn.execute(query.order_by(return_labels.c.created_at)):
        detail = f"{label.carrier} {label.tracking_number} (return {label.return_id})"
        trail.append(TrailEntry(at=label.created_at, what="return label created", detail=detail))
        if label.voided_at:
            trail.append(TrailEntry(at=label.voided_at, what="return label voided", detail=detail))
    return trail


def _shipped(shipment: Any) -> str:
    """``with letter-post: FP1A2B3C4D5E6F to FR, 1,250 g``: the trail line reads "shipment
    created with <carrier>" (``what`` stays fixed for readers that match on it)."""
    country = shipment.address.get("country", "?")
    weight = "" if shipment.weight_grams is None else f", {shipment.weight_grams:,} g"
    return f"with {shipment.carrier}: {shipment.tracking_number} to {country}{weight}"
