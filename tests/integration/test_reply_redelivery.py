"""The same reply delivered twice to the orchestrator changes nothing the second time."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from messaging.tables import inbox
from tests.platform import RunningPlatform, new_sku, order, wait_for


def _delivered_reply(platform: RunningPlatform, saga: dict[str, Any], step: str) -> dict[str, Any]:
    """The reply envelope a participant sent for ``step``, as stored in its own inbox."""
    command_id = next(
        h["message_id"]
        for h in saga["history"]
        if h["kind"] == "command_sent" and h["step"] == step
    )
    service = {"reserve_inventory": "inventory", "charge_payment": "payment"}[step]
    with platform.engines[service].begin() as conn:
        response = conn.execute(
            select(inbox.c.response).where(inbox.c.message_id == command_id)
        ).scalar_one()
    body: dict[str, Any] = response[0]["body"]
    return body


def _completed_saga(platform: RunningPlatform) -> tuple[dict[str, Any], str]:
    sku = new_sku()
    platform.set_stock(sku, 5)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=2))
    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "completed"
    return saga, sku


def _history_with(platform: RunningPlatform, saga_id: str, kind: str, message_id: str) -> Any:
    return wait_for(
        lambda: platform.saga(saga_id),
        lambda s: any(h["kind"] == kind and h["message_id"] == message_id for h in s["history"]),
        timeout=20,
    )


def test_redelivered_reply_changes_nothing(platform: RunningPlatform) -> None:
    saga, sku = _completed_saga(platform)
    reply = _delivered_reply(platform, saga, "reserve_inventory")

    platform.send("orchestrator.handle_message", message=reply)
    after = _history_with(platform, saga["saga_id"], "duplicate_ignored", reply["message_id"])

    assert after["state"] == "completed"
    assert after["version"] == saga["version"]
    assert after["data"] == saga["data"]
    assert after["history"][: len(saga["history"])] == saga["history"]
    assert [h["kind"] for h in after["history"][len(saga["history"]) :]] == ["duplicate_ignored"]
    assert platform.stock(sku) == {"sku": sku, "available": 3, "reserved": 2}


def test_stale_reply_with_a_new_message_id_is_ignored(platform: RunningPlatform) -> None:
    saga, _sku = _completed_saga(platform)
    reply = {**_delivered_reply(platform, saga, "charge_payment"), "message_id": str(uuid.uuid4())}

    platform.send("orchestrator.handle_message", message=reply)
    after = _history_with(platform, saga["saga_id"], "reply_ignored", reply["message_id"])

    assert after["state"] == "completed"
    assert after["version"] == saga["version"]
    ignored = after["history"][-1]
    assert ignored["message_type"] == "PaymentCharged"
    assert "already completed" in ignored["detail"]["reason"]
    payments = platform.call("payment.get_payments", order_id=saga["business_key"])
    assert len(payments["payments"]) == 1
