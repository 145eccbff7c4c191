"""Inventory's commands through its registry and the consumer, on a real store: a
reservation takes every line or none, a release gives back what it took (once), a restock
sent again under a new message id (a compensation retried) raises stock once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    InventoryRestocked,
    ReleaseInventory,
    ReserveInventory,
    RestockInventory,
    StockLine,
)
from messaging.contracts.read_models import TrailEntry
from participants.inventory import store as inventory_store
from tests.service.harness import Participant
from tests.service.inventory_stock import levels, stocked

pytestmark = pytest.mark.service


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reserve(inventory: Participant, order_id: str, **quantities: int) -> object:
    items = [StockLine(sku=sku, quantity=qty) for sku, qty in quantities.items()]
    return inventory.send(ReserveInventory(order_id=order_id, items=items))


# --- reserve ----------------------------------------------------------------------------


def test_a_reservation_takes_every_line(inventory):
    stocked(inventory, A=5, B=3)

    reply = reserve(inventory, "ord-1", A=2, B=3)

    assert isinstance(reply, InventoryReserved)
    assert reply.reservation_id.startswith("res_")
    assert [(i.sku, i.quantity) for i in reply.items] == [("A", 2), ("B", 3)]
    assert levels(inventory, "A", "B") == {"A": 3, "B": 0}
    with inventory.engine.begin() as conn:
        held = inventory_store.reservations_of(conn, "ord-1")
    assert [(r["reservation_id"], r["status"]) for r in held] == [
        (reply.reservation_id, "reserved")
    ]


def test_a_line_short_of_stock_refuses_the_whole_reservation(inventory):
    stocked(inventory, A=5, B=1)

    reply = reserve(inventory, "ord-1", A=2, B=3)

    assert reply == InventoryReservationFailed(
        order_id="ord-1", code="out_of_stock", reason="out of stock: B (wanted 3, available 1)"
    )
    assert levels(inventory, "A", "B") == {"A": 5, "B": 1}
    with inventory.engine.begin() as conn:
        assert inventory_store.reservations_of(conn, "ord-1") == []


def test_an_unknown_sku_is_refused(inventory):
    reply = reserve(inventory, "ord-1", NOPE=1)

    assert reply == InventoryReservationFailed(
        order_id="ord-1", code="unknown_sku", reason="unknown SKU: NOPE"
    )


def test_two_orders_for_the_last_unit_get_it_once(inventory):
    """Both stores serialise the two transactions (row locks on PostgreSQL, the write
    lock on SQLite): one order gets the unit, the other is refused."""
    sku = unique("SKU")
    stocked(inventory, **{sku: 1})

    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(reserve, inventory, order, **{sku: 1}) for order in "12"]
        replies = [future.result(timeout=60) for future in pending]  # a lock never waits for ever

    assert sorted(type(reply).__name__ for reply in replies) == [
        "InventoryReservationFailed",
        "InventoryReserved",
    ]
    assert levels(inventory, sku) == {sku: 0}


# --- release ----------------------------------------------------------------------------


def test_a_release_gives_back_what_was_reserved_once(inventory):
    stocked(inventory, A=5)
    reserved = reserve(inventory, "ord-1", A=2)
    assert isinstance(reserved, InventoryReserved)
    command = ReleaseInventory(order_id="ord-1", reservation_id=reserved.reservation_id)

    released = inventory.send(command)
    again = inventory.send(command)  # a new message id: a compensation retried

    assert (
        released
        == again
        == InventoryReleased(
            order_id="ord-1",
            reservation_id=reserved.reservation_id,
            items=[StockLine(sku="A", quantity=2)],
        )
    )
    assert levels(inventory, "A") == {"A": 5}
    with inventory.engine.begin() as conn:
        trail = inventory_store.order_trail(conn, "ord-1")
    assert [entry.what for entry in trail] == ["reserved", "released"]


def test_releasing_an_unknown_reservation_gives_back_nothing(inventory):
    reply = inventory.send(ReleaseInventory(order_id="ord-1", reservation_id="res_nope"))

    assert reply == InventoryReleased(order_id="ord-1", reservation_id="res_nope", items=[])


# --- restock ----------------------------------------------------------------------------


def restock(inventory: Participant, return_id: str, items: list[StockLine]) -> object:
    return inventory.send(
        RestockInventory(return_id=return_id, order_id="ord-1", items=items), reply_to="returns"
    )


def test_a_restock_sent_twice_raises_stock_once(inventory):
    known, new = unique("SKU"), unique("SKU")
    stocked(inventory, **{known: 5})
    return_id = unique("RET")
    items = [StockLine(sku=known, quantity=2), StockLine(sku=new, quantity=3)]

    first = restock(inventory, return_id, items)
    again = restock(inventory, return_id, items)  # a new message id
    other_lines = restock(inventory, return_id, [StockLine(sku=known, quantity=9)])

    assert first == InventoryRestocked(return_id=return_id, order_id="ord-1", items=items)
    assert again == other_lines == first
    assert levels(inventory, known, new) == {known: 7, new: 3}
    with inventory.engine.begin() as conn:
        count = conn.execute(select(func.count()).select_from(inventory_store.restocks))
        trail = inventory_store.order_trail(conn, "ord-1")
        assert count.scalar_one() == 1
    assert trail == [
        TrailEntry(
            at=trail[0].at, what="restocked", detail=f"2 x {known}, 3 x {new} (return {return_id})"
        )
    ]


def test_restocks_of_two_returns_both_count(inventory):
    sku = unique("SKU")

    restock(inventory, unique("RET"), [StockLine(sku=sku, quantity=1)])
    restock(inventory, unique("RET"), [StockLine(sku=sku, quantity=4)])

    assert levels(inventory, sku) == {sku: 5}
