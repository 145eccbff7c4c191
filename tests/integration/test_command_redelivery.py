"""The same command delivered twice to a participant changes nothing the second time and
gets the same reply again (the first reply may have been lost)."""

from __future__ import annotations

import uuid
from typing import Any

from kombu import Connection  # type: ignore[attr-defined]

from messaging.contracts import Envelope
from messaging.contracts.inventory import ReserveInventory, StockLine
from messaging.contracts.payment import ChargePayment
from tests.platform import RunningPlatform, new_sku, wait_for


def _replies(broker_url: str, queue: str, count: int) -> list[dict[str, Any]]:
    """Read ``count`` reply envelopes that a participant sent to ``queue``."""
    found: list[dict[str, Any]] = []
    with Connection(broker_url) as conn, conn.SimpleQueue(queue) as simple:  # type: ignore[no-untyped-call]

        def take() -> list[dict[str, Any]]:
            try:
                message = simple.get(timeout=0.2)
            except simple.Empty:
                return found
            _args, kwargs, _embed = message.decode()
            found.append(kwargs["message"])
            message.ack()
            return found

        wait_for(take, lambda got: len(got) >= count, timeout=20, interval=0)
    return found


def _command(payload: Any, reply_queue: str) -> dict[str, Any]:
    envelope = Envelope.wrap(
        payload,
        saga_id=f"test-{uuid.uuid4()}",
        correlation_id=str(uuid.uuid4()),
        reply_to=reply_queue,
    )
    return envelope.to_json_dict()


def test_reserve_command_delivered_twice_reserves_once(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 10)
    reply_queue = f"test-replies-{uuid.uuid4().hex}"
    command = _command(
        ReserveInventory(order_id="ord-redeliver", items=[StockLine(sku=sku, quantity=3)]),
        reply_queue,
    )

    platform.send("inventory.handle_message", message=command)
    platform.send("inventory.handle_message", message=command)
    first, second = _replies(platform.broker_url, reply_queue, 2)

    assert first == second  # the very same reply message, same id, same reservation
    assert first["type"] == "InventoryReserved"
    assert first["causation_id"] == command["message_id"]
    assert platform.stock(sku) == {"sku": sku, "available": 7, "reserved": 3}
    reservations = platform.call("inventory.get_reservations", order_id="ord-redeliver")
    assert [r["reservation_id"] for r in reservations] == [first["payload"]["reservation_id"]]


def test_charge_command_delivered_twice_charges_once(platform: RunningPlatform) -> None:
    order_id = f"ord-{uuid.uuid4().hex[:10]}"
    reply_queue = f"test-replies-{uuid.uuid4().hex}"
    charge = ChargePayment(
        order_id=order_id, amount_cents=4200, currency="EUR", payment_token="tok_visa"
    )
    command = _command(charge, reply_queue)

    for _ in range(3):
        platform.send("payment.handle_message", message=command)
    replies = _replies(platform.broker_url, reply_queue, 3)

    assert len({reply["message_id"] for reply in replies}) == 1
    payments = platform.call("payment.get_payments", order_id=order_id)
    assert len(payments["payments"]) == 1
    assert payments["net_charged_cents"] == 4200
