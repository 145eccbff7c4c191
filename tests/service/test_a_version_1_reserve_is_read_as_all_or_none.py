"""A ``ReserveInventory`` written at schema version 1 (no ``allow_partial``: an older
orchestrator, or one told to write version 1 during a rollout) is upcast on arrival and
reserved all or none: a short line refuses the whole order, nothing is taken."""

from __future__ import annotations

from typing import Any

import pytest

from messaging.codec import decode
from messaging.contracts import Envelope
from messaging.contracts.inventory import InventoryReservationFailed, InventoryReserved
from tests.service.harness import Participant
from tests.service.inventory_stock import levels, lines, reservations, reserve_command, stocked

pytestmark = pytest.mark.service


def version_1(**quantities: int) -> dict[str, Any]:
    """A version-1 envelope, as a sender of version 1 writes it."""
    command = reserve_command("ord-1", allow_partial=False, **quantities)
    raw = Envelope.wrap(command, saga_id="saga-1", correlation_id="corr-1").to_json_dict()
    raw["schema_version"] = 1
    del raw["payload"]["allow_partial"]
    return raw


def reply_to(inventory: Participant, raw: dict[str, Any]) -> Any:
    inventory.deliver(raw)
    assert inventory.parked() == []
    (row,) = inventory.replies_to(raw["message_id"])
    return decode(row.body).payload


def test_a_short_line_refuses_the_whole_order(inventory):
    stocked(inventory, A=5, B=1)

    reply = reply_to(inventory, version_1(A=2, B=3))

    assert reply == InventoryReservationFailed(
        order_id="ord-1", code="out_of_stock", reason="out of stock: B (wanted 3, available 1)"
    )
    assert levels(inventory, "A", "B") == {"A": 5, "B": 1}
    assert reservations(inventory, "ord-1") == []


def test_every_line_in_stock_is_reserved(inventory):
    stocked(inventory, A=5, B=3)

    reply = reply_to(inventory, version_1(A=2, B=3))

    assert reply == InventoryReserved(
        order_id="ord-1", reservation_id=reply.reservation_id, items=lines(A=2, B=3)
    )
    assert levels(inventory, "A", "B") == {"A": 3, "B": 0}
