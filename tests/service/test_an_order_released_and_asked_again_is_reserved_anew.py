"""An order reserved, then released, then asked again under a new message id (a new
checkout of the same order) is reserved anew: a released reservation holds nothing, so
answering with it would tell the saga it holds stock that is back on the shelf. The
order still has one live reservation at most, and the same message delivered again
still gets its stored reply, not a second reservation."""

from __future__ import annotations

import pytest

from messaging.contracts import Envelope
from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReleased,
    InventoryReserved,
    ReleaseInventory,
)
from tests.service.inventory_stock import on_hand, reservations, reserve_command, stocked

pytestmark = pytest.mark.service


@pytest.mark.parametrize("allow_partial", [False, True])
def test_an_order_released_and_asked_again_is_reserved_anew(inventory, allow_partial):
    stocked(inventory, A=5, B=1)
    first = inventory.send(reserve_command("ord-1", allow_partial=allow_partial, A=2, B=1))
    assert isinstance(first, InventoryReserved)
    released = inventory.send(
        ReleaseInventory(order_id="ord-1", reservation_id=first.reservation_id)
    )
    assert isinstance(released, InventoryReleased)
    assert on_hand(inventory, "A", "B") == {"A": (5, 0), "B": (1, 0)}

    again = inventory.send(reserve_command("ord-1", allow_partial=allow_partial, A=2, B=1))
    once_more = inventory.send(reserve_command("ord-1", allow_partial=allow_partial, A=2, B=1))

    assert isinstance(again, InventoryReserved)
    assert again.reservation_id != first.reservation_id
    assert again.items == first.items
    assert once_more == again  # one live reservation: asked again, it is the answer
    assert on_hand(inventory, "A", "B") == {"A": (3, 2), "B": (0, 1)}
    held = reservations(inventory, "ord-1")
    assert [(r["reservation_id"], r["status"]) for r in held] == [
        (first.reservation_id, "released"),
        (again.reservation_id, "reserved"),
    ]


def test_released_and_asked_again_takes_what_is_there_now(inventory):
    stocked(inventory, A=5)
    first = inventory.send(reserve_command("ord-1", allow_partial=True, A=4))
    assert isinstance(first, InventoryReserved)
    inventory.send(ReleaseInventory(order_id="ord-1", reservation_id=first.reservation_id))
    stocked(inventory, A=1)  # sold elsewhere meanwhile

    again = inventory.send(reserve_command("ord-1", allow_partial=True, A=4))

    assert isinstance(again, InventoryPartiallyReserved)
    assert [(i.sku, i.quantity) for i in again.items] == [("A", 1)]
    assert [(i.sku, i.quantity) for i in again.missing] == [("A", 3)]
    assert on_hand(inventory, "A") == {"A": (0, 1)}


def test_the_first_message_delivered_again_after_the_release_is_not_reserved_again(inventory):
    stocked(inventory, A=5)
    command = reserve_command("ord-1", allow_partial=False, A=2)
    raw = Envelope.wrap(command, saga_id="saga-1", correlation_id="corr-1").to_json_dict()
    inventory.deliver(raw)
    (first,) = inventory.replies_to(raw["message_id"])
    reservation_id = first.body["payload"]["reservation_id"]
    inventory.send(ReleaseInventory(order_id="ord-1", reservation_id=reservation_id))

    inventory.deliver(raw)  # a late redelivery of the first command

    replies = inventory.replies_to(raw["message_id"])
    assert [reply.message_id for reply in replies] == [first.message_id] * 2
    assert on_hand(inventory, "A") == {"A": (5, 0)}
    assert [r["status"] for r in reservations(inventory, "ord-1")] == ["released"]
