"""Inventory's stock as the service tests set and read it, and its reserve command."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from messaging.contracts.inventory import ReserveInventory, StockLine
from participants.inventory import store as inventory_store
from tests.service.harness import Participant


def stocked(inventory: Participant, **levels: int) -> None:
    with inventory.engine.begin() as conn:
        for sku, available in levels.items():
            inventory_store.set_level(conn, sku, available)


def levels(inventory: Participant, *skus: str) -> dict[str, int]:
    """``available`` of each SKU that has a stock row."""
    stock = inventory_store.stock
    with inventory.engine.begin() as conn:
        rows = conn.execute(select(stock.c.sku, stock.c.available).where(stock.c.sku.in_(skus)))
        return {row.sku: row.available for row in rows}


def on_hand(inventory: Participant, *skus: str) -> dict[str, tuple[int, int]]:
    """(available, reserved) of each SKU that has a stock row."""
    found = {}
    with inventory.engine.begin() as conn:
        for sku in skus:
            view = inventory_store.stock_view(conn, sku)
            if view is not None:
                available, reserved = view["available"], view["reserved"]
                assert isinstance(available, int) and isinstance(reserved, int)
                found[sku] = (available, reserved)
    return found


def reservations(inventory: Participant, order_id: str) -> list[dict[str, Any]]:
    with inventory.engine.begin() as conn:
        return inventory_store.reservations_of(conn, order_id)


def reserve_command(order_id: str, *, allow_partial: bool, **quantities: int) -> ReserveInventory:
    items = [StockLine(sku=sku, quantity=qty) for sku, qty in quantities.items()]
    return ReserveInventory(order_id=order_id, items=items, allow_partial=allow_partial)


def lines(**quantities: int) -> list[StockLine]:
    return [StockLine(sku=sku, quantity=qty) for sku, qty in quantities.items()]
