"""Releasing a partial reservation gives back exactly the quantities it reserved (not
what was asked), once: the stock is then what it was before the order."""

from __future__ import annotations

import pytest

from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReleased,
    ReleaseInventory,
)
from participants.inventory import store as inventory_store
from tests.service.inventory_stock import levels, lines, on_hand, reserve_command, stocked

pytestmark = pytest.mark.service


def test_a_release_restores_the_stock_exactly(inventory):
    stocked(inventory, A=5, B=1, C=0)
    reserved = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, B=3, C=4))
    assert isinstance(reserved, InventoryPartiallyReserved)
    release = ReleaseInventory(order_id="ord-1", reservation_id=reserved.reservation_id)

    released = inventory.send(release)
    again = inventory.send(release)  # a new message id: a compensation retried

    assert (
        released
        == again
        == InventoryReleased(
            order_id="ord-1", reservation_id=reserved.reservation_id, items=lines(A=2, B=1)
        )
    )
    assert levels(inventory, "A", "B", "C") == {"A": 5, "B": 1, "C": 0}
    assert on_hand(inventory, "A", "B", "C") == {"A": (5, 0), "B": (1, 0), "C": (0, 0)}
    with inventory.engine.begin() as conn:
        trail = inventory_store.order_trail(conn, "ord-1")
    assert [(entry.what, entry.detail) for entry in trail] == [
        ("partially reserved", f"2 x A, 1 x B ({reserved.reservation_id}); missing 2 x B, 4 x C"),
        ("released", "2 x A, 1 x B"),
    ]
