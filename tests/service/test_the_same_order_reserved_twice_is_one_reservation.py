"""An order holds one reservation at most: ``ReserveInventory`` for the same order again,
under a new message id, whatever lines it lists, answers with the reservation it holds
and takes nothing more, partial or whole, one after the other or at the same moment. The
same message delivered again is answered with its stored reply. A refusal is not kept:
the order asked again once stock came is reserved (and a released reservation holds
nothing: test_an_order_released_and_asked_again_is_reserved_anew.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from messaging.contracts import Envelope
from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReservationFailed,
    InventoryReserved,
)
from tests.service.inventory_stock import levels, reservations, reserve_command, stocked

pytestmark = pytest.mark.service


@pytest.mark.parametrize("allow_partial", [True, False])
def test_the_second_command_answers_with_the_first_reservation(inventory, allow_partial):
    stocked(inventory, A=5, B=1)
    first = inventory.send(reserve_command("ord-1", allow_partial=allow_partial, A=2, B=1))
    stocked(inventory, B=10)  # more stock came: the answer is still the first one

    again = inventory.send(reserve_command("ord-1", allow_partial=allow_partial, A=2, B=1))
    other = inventory.send(reserve_command("ord-1", allow_partial=True, A=4, C=1))

    assert isinstance(first, InventoryReserved)
    assert again == other == first
    assert levels(inventory, "A", "B") == {"A": 3, "B": 10}
    assert [r["reservation_id"] for r in reservations(inventory, "ord-1")] == [first.reservation_id]


def test_a_partial_reservation_asked_again_answers_with_what_it_lacked(inventory):
    stocked(inventory, A=5, B=1)
    first = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, B=3))
    stocked(inventory, B=10)

    again = inventory.send(reserve_command("ord-1", allow_partial=True, A=2, B=3))

    assert isinstance(first, InventoryPartiallyReserved)
    assert again == first
    assert levels(inventory, "A", "B") == {"A": 3, "B": 10}
    assert len(reservations(inventory, "ord-1")) == 1


def test_the_same_message_delivered_again_gets_its_stored_reply(inventory):
    stocked(inventory, A=1)
    command = reserve_command("ord-1", allow_partial=True, A=3)
    raw = Envelope.wrap(command, saga_id="saga-1", correlation_id="corr-1").to_json_dict()

    inventory.deliver(raw)
    inventory.deliver(raw)

    first, again = inventory.replies_to(raw["message_id"])
    assert first.message_id == again.message_id
    assert first.body["payload"] == again.body["payload"]
    assert first.body["type"] == "InventoryPartiallyReserved"
    assert levels(inventory, "A") == {"A": 0}
    assert len(reservations(inventory, "ord-1")) == 1


def test_two_commands_for_one_order_at_the_same_moment_reserve_once(inventory):
    """The stock rows are locked before the order's reservation is looked up: the second
    transaction waits for the first, then finds its reservation."""
    stocked(inventory, A=5, B=2)
    command = reserve_command("ord-1", allow_partial=True, A=2, B=3)

    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(inventory.send, command) for _ in range(2)]
        replies = [future.result(timeout=60) for future in pending]

    assert replies[0] == replies[1]
    assert isinstance(replies[0], InventoryPartiallyReserved)
    assert levels(inventory, "A", "B") == {"A": 3, "B": 0}
    assert len(reservations(inventory, "ord-1")) == 1


def test_a_refused_order_can_be_reserved_once_stock_came(inventory):
    stocked(inventory, A=0)
    refused = inventory.send(reserve_command("ord-1", allow_partial=True, A=2))
    stocked(inventory, A=1)

    reserved = inventory.send(reserve_command("ord-1", allow_partial=True, A=2))

    assert isinstance(refused, InventoryReservationFailed)
    assert isinstance(reserved, InventoryPartiallyReserved)
    assert levels(inventory, "A") == {"A": 0}


@pytest.mark.parametrize("allow_partial", [True, False])
def test_the_answer_asked_again_equals_the_first_whatever_the_order_of_the_lines(
    inventory, allow_partial
):
    """The first reply is built as a reply to the order asked again is: one line per SKU,
    in SKU order, whatever order (and repeats) the command listed them in."""
    stocked(inventory, A=5, B=5)
    command = reserve_command("ord-1", allow_partial=allow_partial, B=1, A=2)

    first = inventory.send(command)
    again = inventory.send(command)

    assert isinstance(first, InventoryReserved)
    assert [(i.sku, i.quantity) for i in first.items] == [("A", 2), ("B", 1)]
    assert again == first


def test_a_partial_answer_asked_again_equals_the_first(inventory):
    stocked(inventory, A=5, B=1)
    command = reserve_command("ord-1", allow_partial=True, B=3, A=2, C=1)

    first = inventory.send(command)
    again = inventory.send(command)

    assert isinstance(first, InventoryPartiallyReserved)
    assert [(i.sku, i.quantity) for i in first.items] == [("A", 2), ("B", 1)]
    assert [(i.sku, i.quantity) for i in first.missing] == [("B", 2), ("C", 1)]
    assert again == first
