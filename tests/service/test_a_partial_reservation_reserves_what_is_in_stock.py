"""``ReserveInventory`` with ``allow_partial``, on a real store: each line is reserved for
what is in stock (a SKU with no stock row for none), the reply names what was reserved
and what is missing, the reservation holds exactly the reserved quantities and the
order's trail says both. Every line in stock is answered ``InventoryReserved``, as all or
none answers it; nothing in stock is refused."""

from __future__ import annotations

import pytest

from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReservationFailed,
    InventoryReserved,
)
from participants.inventory import store as inventory_store
from tests.service.inventory_stock import (
    levels,
    lines,
    on_hand,
    reservations,
    reserve_command,
    stocked,
)

pytestmark = pytest.mark.service


def test_each_line_is_reserved_for_what_is_in_stock(inventory):
    stocked(inventory, A=5, B=1, C=0)

    reply = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, B=3, C=1, D=2))

    assert isinstance(reply, InventoryPartiallyReserved)
    assert reply == InventoryPartiallyReserved(
        order_id="ord-1",
        reservation_id=reply.reservation_id,
        items=lines(A=2, B=1),
        missing=lines(B=2, C=1, D=2),
    )
    # on hand (available + reserved) is what it was: only what was there moved
    assert on_hand(inventory, "A", "B", "C", "D") == {"A": (3, 2), "B": (0, 1), "C": (0, 0)}
    (held,) = reservations(inventory, "ord-1")
    assert (held["reservation_id"], held["status"]) == (reply.reservation_id, "reserved")
    assert held["items"] == [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]
    assert held["missing"] == [
        {"sku": "B", "quantity": 2},
        {"sku": "C", "quantity": 1},
        {"sku": "D", "quantity": 2},
    ]


def test_the_trail_says_what_was_reserved_and_what_was_missing(inventory):
    stocked(inventory, A=5, B=1)

    reply = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, B=3))

    with inventory.engine.begin() as conn:
        (entry,) = inventory_store.order_trail(conn, "ord-1")
    assert entry.what == "partially reserved"
    assert entry.detail == f"2 x A, 1 x B ({reply.reservation_id}); missing 2 x B"


def test_every_line_in_stock_is_answered_as_a_whole_reservation(inventory):
    stocked(inventory, A=5, B=3)
    command = reserve_command("ord-1", allow_partial=True, B=3, A=2)

    reply = inventory.send(command)
    again = inventory.send(command)

    # the command's lines, one per SKU in SKU order: as the order asked again is answered
    assert reply == InventoryReserved(
        order_id="ord-1", reservation_id=reply.reservation_id, items=lines(A=2, B=3)
    )
    assert again == reply
    assert levels(inventory, "A", "B") == {"A": 3, "B": 0}
    (held,) = reservations(inventory, "ord-1")
    assert held["missing"] == []
    with inventory.engine.begin() as conn:
        assert [e.what for e in inventory_store.order_trail(conn, "ord-1")] == ["reserved"]


def test_nothing_in_stock_is_refused_and_takes_nothing(inventory):
    stocked(inventory, A=0)

    reply = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, NOPE=1))

    assert reply == InventoryReservationFailed(
        order_id="ord-1",
        code="out_of_stock",
        reason="out of stock: A (wanted 2, available 0); NOPE (wanted 1, unknown SKU)",
    )
    assert levels(inventory, "A", "NOPE") == {"A": 0}
    assert reservations(inventory, "ord-1") == []
