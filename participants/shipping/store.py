"""Shipping's own table: one row per created shipment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Connection, DateTime, MetaData, String, Table, insert, select

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
)


def add_shipment(
    conn: Connection,
    shipment_id: str,
    order_id: str,
    carrier: str,
    tracking_number: str,
    address: dict[str, Any],
    items: list[dict[str, Any]],
) -> None:
    conn.execute(
        insert(shipments).values(
            shipment_id=shipment_id,
            order_id=order_id,
            carrier=carrier,
            tracking_number=tracking_number,
            address=address,
            items=items,
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
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
