"""A SKU listed on two lines of one ``ReserveInventory`` (the contract allows it; only
checkout's input forbids it) is reserved once, for the sum of its lines: all or none
and partial alike, the reply and the stored reservation agree, and a release gives the
sum back."""

from __future__ import annotations

import pytest

from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReserved,
    ReleaseInventory,
    ReserveInventory,
    StockLine,
)
from tests.service.inventory_stock import levels, on_hand, reservations, stocked

pytestmark = pytest.mark.service


@pytest.mark.parametrize("allow_partial", [False, True])
def test_a_sku_listed_twice_is_reserved_once_for_the_sum(inventory, allow_partial):
    stocked(inventory, A=5, B=4)
    items = [
        StockLine(sku="A", quantity=1),
        StockLine(sku="B", quantity=1),
        StockLine(sku="A", quantity=2),
    ]

    reply = inventory.send(
        ReserveInventory(order_id="ord-1", items=items, allow_partial=allow_partial)
    )

    assert isinstance(reply, InventoryReserved)
    assert [(i.sku, i.quantity) for i in reply.items] == [("A", 3), ("B", 1)]
    assert levels(inventory, "A", "B") == {"A": 2, "B": 3}
    assert on_hand(inventory, "A", "B") == {"A": (2, 3), "B": (3, 1)}
    (held,) = reservations(inventory, "ord-1")
    assert held["reservation_id"] == reply.reservation_id
    assert held["status"] == "reserved"
    assert held["items"] == [{"sku": i.sku, "quantity": i.quantity} for i in reply.items]

    released = inventory.send(
        ReleaseInventory(order_id="ord-1", reservation_id=reply.reservation_id)
    )

    assert released == InventoryReleased(
        order_id="ord-1", reservation_id=reply.reservation_id, items=reply.items
    )
    assert levels(inventory, "A", "B") == {"A": 5, "B": 4}
    assert on_hand(inventory, "A", "B") == {"A": (5, 0), "B": (4, 0)}
