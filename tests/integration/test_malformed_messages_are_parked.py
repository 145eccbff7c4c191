"""A malformed or unknown message is parked with its reason, never dropped, and the
worker carries on."""

from __future__ import annotations

import uuid
from typing import Any

from messaging.contracts import Envelope
from messaging.contracts.inventory import ReserveInventory, StockLine
from tests.platform import RunningPlatform, new_sku, order, wait_for


def _parked_with(platform: RunningPlatform, service: str, needle: str) -> dict[str, Any]:
    found = wait_for(
        lambda: platform.call(f"{service}.dead_letters", limit=1000),
        lambda got: any(needle in letter["body"] for letter in got["dead_letters"]),
        timeout=20,
    )
    letter: dict[str, Any] = next(d for d in found["dead_letters"] if needle in d["body"])
    return letter


def _reserve(marker: str) -> dict[str, Any]:
    command = ReserveInventory(order_id=marker, items=[StockLine(sku="SKU-X", quantity=1)])
    return Envelope.wrap(command, saga_id="s", correlation_id="c").to_json_dict()


def test_schema_violation_is_parked_with_the_field_named(platform: RunningPlatform) -> None:
    marker = f"ord-{uuid.uuid4().hex[:10]}"
    message = _reserve(marker)
    message["payload"]["items"][0]["quantity"] = 0
    platform.send("inventory.handle_message", message=message)

    letter = _parked_with(platform, "inventory", marker)
    assert letter["task_name"] == "inventory.handle_message"
    assert "payload.items.0.quantity" in letter["reason"]
    assert letter["message_id"] == message["message_id"]


def test_unknown_message_type_is_parked(platform: RunningPlatform) -> None:
    marker = f"ord-{uuid.uuid4().hex[:10]}"
    message = {**_reserve(marker), "type": "LaunchRockets"}
    platform.send("payment.handle_message", message=message)

    letter = _parked_with(platform, "payment", marker)
    assert "unknown message type 'LaunchRockets'" in letter["reason"]


def test_reply_for_an_unknown_saga_is_parked(platform: RunningPlatform) -> None:
    marker = f"saga-{uuid.uuid4().hex}"
    message = {**_reserve("ord-1"), "saga_id": marker}
    message.update(type="InventoryReserved", schema_version=1)
    message["payload"] = {"order_id": "ord-1", "reservation_id": "r", "items": []}
    platform.send("orchestrator.handle_message", message=message)

    letter = _parked_with(platform, "orchestrator", marker)
    assert f"unknown saga {marker}" in letter["reason"]


def test_wrong_arguments_and_non_envelopes_are_parked(platform: RunningPlatform) -> None:
    marker = f"junk-{uuid.uuid4().hex}"
    platform.client.send_task("shipping.handle_message", args=[marker], queue="shipping")
    platform.send("shipping.handle_message", message=[marker, 1, 2])

    wrong_args = _parked_with(platform, "shipping", f'"args": ["{marker}"]')
    assert "expected a single keyword argument 'message'" in wrong_args["reason"]
    not_object = _parked_with(platform, "shipping", f'["{marker}", 1, 2]')
    assert "must be a JSON object" in not_object["reason"]


def test_unknown_task_and_pickle_are_parked_by_the_consumer(platform: RunningPlatform) -> None:
    marker = f"junk-{uuid.uuid4().hex}"
    platform.client.send_task("inventory.no_such_task", kwargs={"m": marker}, queue="inventory")
    platform.client.send_task(
        "inventory.handle_message",
        kwargs={"message": marker},
        queue="inventory",
        serializer="pickle",
    )

    unknown = _parked_with(platform, "inventory", "inventory.no_such_task")
    assert "unknown task" in unknown["reason"]
    assert marker in unknown["body"]
    pickled = _parked_with(platform, "inventory", "application/x-python-serialize")
    assert "Refusing to deserialize untrusted content of type pickle" in pickled["reason"]


def test_workers_still_serve_orders_after_bad_messages(platform: RunningPlatform) -> None:
    platform.send("orchestrator.handle_message", message="not even json {")
    sku = new_sku()
    platform.set_stock(sku, 1)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=1))
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    parked = platform.call("orchestrator.dead_letters")
    assert parked["parked"] >= 1
    assert any("not even json {" in d["body"] for d in parked["dead_letters"])
