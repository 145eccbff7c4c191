"""Inventory's command handlers: thin adapters from messages to rules and store, declared
in one registry (``registry``). Each decides the one reply to its command."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    InventoryRestocked,
    ReleaseInventory,
    ReserveInventory,
    RestockInventory,
    StockLine,
)
from messaging.handlers import Registry, replying
from messaging.refusal import Refusal
from participants.inventory import rules, store


def registry() -> Registry:
    """Inventory's commands and their handlers; any other type is parked at once."""
    return Registry(
        "inventory",
        {
            ReserveInventory: replying(reserve),
            ReleaseInventory: replying(release),
            RestockInventory: replying(restock),
        },
    )


def reserve(conn: Connection, message: Message[ReserveInventory]) -> Payload:
    """One live reservation per order: the stock rows are locked first, so a second
    command for the same order (any message id) that names a SKU of the first with a
    stock row, as a command sent again does, waits for the first, then finds its
    reservation and answers with it. A refusal is not recorded, and a released
    reservation holds nothing: the order refused, or released, may be asked again, and is
    reserved anew. (The same message delivered again never gets here: the inbox answers
    it with its stored reply.)"""
    command = message.payload
    lines = [rules.Line(item.sku, item.quantity) for item in command.items]
    available = store.levels_for_update(conn, [line.sku for line in lines])
    live = store.live_reservation(conn, command.order_id)
    if live is not None:
        return _reply(command.order_id, live)
    asked = rules.summed(lines)  # one line per SKU, as reservation_lines is keyed
    if isinstance(asked, Refusal):
        return _refused(command.order_id, asked)
    if command.allow_partial:
        return _reserve_available(conn, command, available, asked)
    outcome = rules.reserve(available, asked)
    if isinstance(outcome, Refusal):
        return _refused(command.order_id, outcome)
    reservation = store.Reservation(_new_reservation_id(), _by_sku(asked), missing=[])
    store.write_levels(conn, outcome)
    store.add_reservation(conn, reservation.reservation_id, command.order_id, reservation.lines)
    return _reply(command.order_id, reservation)


def _reserve_available(
    conn: Connection,
    command: ReserveInventory,
    available: dict[str, int],
    lines: list[rules.Line],
) -> Payload:
    """``allow_partial``: what is there of each line; the whole order as ``InventoryReserved``
    (as all or none answers it) when every line was there in full."""
    outcome = rules.reserve_available(available, lines)
    if isinstance(outcome, Refusal):
        return _refused(command.order_id, outcome)
    reservation = store.Reservation(
        _new_reservation_id(), _by_sku(outcome.reserved), missing=outcome.missing
    )
    store.write_levels(conn, outcome.levels)
    store.add_reservation(
        conn,
        reservation.reservation_id,
        command.order_id,
        reservation.lines,
        missing=reservation.missing,
    )
    return _reply(command.order_id, reservation)


def _by_sku(lines: list[rules.Line]) -> list[rules.Line]:
    return sorted(lines, key=lambda line: line.sku)


def _reply(order_id: str, reservation: store.Reservation) -> Payload:
    """The one reply to a reservation, the first time and every time the order is asked
    again: its lines in SKU order (as the store reads them back), what it lacked in the
    order first asked (as the store keeps it)."""
    items = _stock_lines(reservation.lines)
    if not reservation.missing:
        return InventoryReserved(
            order_id=order_id, reservation_id=reservation.reservation_id, items=items
        )
    return InventoryPartiallyReserved(
        order_id=order_id,
        reservation_id=reservation.reservation_id,
        items=items,
        missing=_stock_lines(reservation.missing),
    )


def _refused(order_id: str, refusal: Refusal) -> InventoryReservationFailed:
    return InventoryReservationFailed(order_id=order_id, code=refusal.code, reason=refusal.reason)


def _new_reservation_id() -> str:
    return f"res_{uuid.uuid4().hex[:16]}"


def _stock_lines(lines: list[rules.Line]) -> list[StockLine]:
    return [StockLine(sku=line.sku, quantity=line.quantity) for line in lines]


def release(conn: Connection, message: Message[ReleaseInventory]) -> Payload:
    command = message.payload
    found = store.reservation(conn, command.reservation_id)
    if found is None:  # nothing was reserved under this id: nothing to give back
        return InventoryReleased(
            order_id=command.order_id, reservation_id=command.reservation_id, items=[]
        )
    status, lines = found
    if status == "reserved":
        available = store.levels_for_update(conn, [line.sku for line in lines])
        store.write_levels(conn, rules.release(available, lines))
        store.mark_released(conn, command.reservation_id)
    return InventoryReleased(
        order_id=command.order_id,
        reservation_id=command.reservation_id,
        items=_stock_lines(lines),
    )


def restock(conn: Connection, message: Message[RestockInventory]) -> Payload:
    command = message.payload
    lines = store.restock_of(conn, command.return_id)
    if lines is None:  # the first restock of this return
        lines = [rules.Line(item.sku, item.quantity) for item in command.items]
        # The row first: a concurrent restock of the same return waits on it, then fails
        # (and is retried, and finds it) instead of adding the goods a second time.
        store.add_restock(conn, command.return_id, command.order_id, lines)
        skus = [line.sku for line in lines]
        store.ensure_levels(conn, skus)
        available = store.levels_for_update(conn, skus)
        store.write_levels(conn, rules.restock(available, lines))
    return InventoryRestocked(
        return_id=command.return_id,
        order_id=command.order_id,
        items=_stock_lines(lines),
    )
