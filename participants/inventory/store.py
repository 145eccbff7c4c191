"""Inventory's own tables and the queries its handlers need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from messaging.consumer import Conflict
from messaging.contracts.read_models import TrailEntry
from messaging.database import dialect_insert, is_postgresql
from participants.inventory.rules import Line

metadata = MetaData()

stock = Table(
    "stock",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("available", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

reservations = Table(
    "reservations",
    metadata,
    Column("reservation_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # reserved | released
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
    # [{"sku", "quantity"}]: what a partial reservation could not take; null: nothing
    Column("missing", JSON(none_as_null=True), nullable=True),
)

reservation_lines = Table(
    "reservation_lines",
    metadata,
    Column("reservation_id", ForeignKey("reservations.reservation_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

restocks = Table(
    "restocks",
    metadata,
    Column("return_id", String(64), primary_key=True),  # one restock per return
    Column("order_id", String(64), nullable=False, index=True),
    Column("lines", JSON, nullable=False),  # [{"sku", "quantity"}], as the command listed them
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def levels_for_update(conn: Connection, skus: Iterable[str]) -> dict[str, int]:
    query = select(stock.c.sku, stock.c.available).where(stock.c.sku.in_(sorted(set(skus))))
    if is_postgresql(conn):
        query = query.order_by(stock.c.sku).with_for_update()
    return {row.sku: row.available for row in conn.execute(query)}


def write_levels(conn: Connection, levels: Mapping[str, int]) -> None:
    now = datetime.now(UTC)
    for sku, available in levels.items():
        conn.execute(
            update(stock).where(stock.c.sku == sku).values(available=available, updated_at=now)
        )


def set_level(conn: Connection, sku: str, available: int) -> None:
    values = {"sku": sku, "available": available, "updated_at": datetime.now(UTC)}
    statement = dialect_insert(conn, stock).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["sku"],
            set_={"available": available, "updated_at": values["updated_at"]},
        )
    )


def ensure_levels(conn: Connection, skus: Iterable[str]) -> None:
    """Give every SKU without a stock row one at zero, so that it can be locked."""
    now = datetime.now(UTC)
    for sku in sorted(set(skus)):
        statement = dialect_insert(conn, stock).values(sku=sku, available=0, updated_at=now)
        conn.execute(statement.on_conflict_do_nothing(index_elements=["sku"]))


@dataclass(frozen=True)
class Reservation:
    """An order's reservation: the lines it holds and, if partial, what it lacked."""

    reservation_id: str
    lines: list[Line]
    missing: list[Line]


def add_reservation(
    conn: Connection,
    reservation_id: str,
    order_id: str,
    lines: list[Line],
    *,
    missing: Sequence[Line] = (),
) -> None:
    conn.execute(
        insert(reservations).values(
            reservation_id=reservation_id,
            order_id=order_id,
            status="reserved",
            created_at=datetime.now(UTC),
            missing=_json(missing) or None,
        )
    )
    conn.execute(
        insert(reservation_lines),
        [
            {"reservation_id": reservation_id, "sku": ln.sku, "quantity": ln.quantity}
            for ln in lines
        ],
    )


def reservation(conn: Connection, reservation_id: str) -> tuple[str, list[Line]] | None:
    """Status and lines of a reservation, locked for update."""
    query = select(reservations.c.status).where(reservations.c.reservation_id == reservation_id)
    if is_postgresql(conn):
        query = query.with_for_update()
    status = conn.execute(query).scalar_one_or_none()
    if status is None:
        return None
    return status, _lines(conn, reservation_id)


def live_reservation(conn: Connection, order_id: str) -> Reservation | None:
    """The order's reservation that still holds stock (status ``reserved``), or None if it
    has none: a released reservation holds nothing, so it is no answer to the order asked
    again."""
    row = conn.execute(
        select(reservations.c.reservation_id, reservations.c.missing)
        .where(reservations.c.order_id == order_id, reservations.c.status == "reserved")
        .order_by(reservations.c.created_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    missing = _json_lines(row.missing or [])
    return Reservation(row.reservation_id, _lines(conn, row.reservation_id), missing)


def _lines(conn: Connection, reservation_id: str) -> list[Line]:
    rows = conn.execute(
        select(reservation_lines.c.sku, reservation_lines.c.quantity)
        .where(reservation_lines.c.reservation_id == reservation_id)
        .order_by(reservation_lines.c.sku)
    )
    return [Line(row.sku, row.quantity) for row in rows]


def mark_released(conn: Connection, reservation_id: str) -> None:
    conn.execute(
        update(reservations)
        .where(reservations.c.reservation_id == reservation_id)
        .values(status="released", released_at=datetime.now(UTC))
    )


def stock_view(conn: Connection, sku: str) -> dict[str, object] | None:
    available = conn.execute(
        select(stock.c.available).where(stock.c.sku == sku)
    ).scalar_one_or_none()
    if available is None:
        return None
    held = conn.execute(
        select(func.coalesce(func.sum(reservation_lines.c.quantity), 0))
        .join(reservations, reservations.c.reservation_id == reservation_lines.c.reservation_id)
        .where(reservation_lines.c.sku == sku, reservations.c.status == "reserved")
    ).scalar_one()
    return {"sku": sku, "available": available, "reserved": int(held)}


def reservations_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(reservations)
        .where(reservations.c.order_id == order_id)
        .order_by(reservations.c.created_at)
    ).all()
    result = []
    for row in rows:  # a read: no row locks (reservation() locks, for the handlers)
        lines = _lines(conn, row.reservation_id)
        result.append(
            {
                "reservation_id": row.reservation_id,
                "status": row.status,
                "items": _json(lines),
                "missing": row.missing or [],
                "created_at": row.created_at.isoformat(),
                "released_at": row.released_at.isoformat() if row.released_at else None,
            }
        )
    return result


def restock_of(conn: Connection, return_id: str) -> list[Line] | None:
    """The lines a return already put back, or None if it put nothing back yet."""
    lines = conn.execute(
        select(restocks.c.lines).where(restocks.c.return_id == return_id)
    ).scalar_one_or_none()
    return None if lines is None else _json_lines(lines)


def _json_lines(lines: list[dict[str, Any]]) -> list[Line]:
    return [Line(ln["sku"], ln["quantity"]) for ln in lines]


def _json(lines: Iterable[Line]) -> list[dict[str, Any]]:
    return [{"sku": ln.sku, "quantity": ln.quantity} for ln in lines]


def add_restock(conn: Connection, return_id: str, order_id: str, lines: list[Line]) -> None:
    try:
        conn.execute(
            insert(restocks).values(
                return_id=return_id,
                order_id=order_id,
                lines=_json(lines),
                created_at=datetime.now(UTC),
            )
        )
    except IntegrityError:  # the same return handled at the same moment by another worker
        raise Conflict(f"restock of return {return_id} was written concurrently") from None


def restocks_of(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(restocks).where(restocks.c.order_id == order_id).order_by(restocks.c.created_at)
    ).all()
    return [
        {
            "return_id": row.return_id,
            "items": row.lines,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    """What inventory did for an order, with times: reservations (a partial one with what
    it lacked), releases, restocks."""
    trail = []
    query = select(reservations).where(reservations.c.order_id == order_id)
    for row in conn.execute(query.order_by(reservations.c.created_at)).all():
        items = _items(_lines(conn, row.reservation_id))
        if row.missing:
            missing = _items(_json_lines(row.missing))
            detail = f"{items} ({row.reservation_id}); missing {missing}"
            trail.append(TrailEntry(at=row.created_at, what="partially reserved", detail=detail))
        else:
            detail = f"{items} ({row.reservation_id})"
            trail.append(TrailEntry(at=row.created_at, what="reserved", detail=detail))
        if row.released_at:
            trail.append(TrailEntry(at=row.released_at, what="released", detail=items))
    query = select(restocks).where(restocks.c.order_id == order_id)
    for row in conn.execute(query.order_by(restocks.c.created_at)):
        detail = f"{_items(_json_lines(row.lines))} (return {row.return_id})"
        trail.append(TrailEntry(at=row.created_at, what="restocked", detail=detail))
    return trail


def _items(lines: list[Line]) -> str:
    return ", ".join(f"{line.quantity} x {line.sku}" for line in lines)
