"""The carrier refuses the destination: refund, then release, in that order."""

from __future__ import annotations

from tests.platform import RunningPlatform, new_sku, order


def test_refused_destination_refunds_then_releases(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 4)
    submitted = order(sku=sku, quantity=4, unit_price_cents=999, country="ZZ")

    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])

    assert saga["state"] == "compensated"
    assert saga["failure"]["code"] == "destination_refused"
    assert [s["status"] for s in saga["steps"]] == [
        "compensated",
        "succeeded",
        "compensated",
        "failed",
    ]
    sent = [h["message_type"] for h in saga["history"] if h["kind"].endswith("_sent")]
    assert sent == [
        "ReserveInventory",
        "ScreenOrder",
        "ChargePayment",
        "CreateShipment",
        "RefundPayment",
        "ReleaseInventory",
    ]
    applied = [h["message_type"] for h in saga["history"] if h["kind"] == "reply_applied"]
    assert applied[-2:] == ["PaymentRefunded", "InventoryReleased"]

    assert platform.stock(sku) == {"sku": sku, "available": 4, "reserved": 0}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 0
    assert [
        (p["status"], p["amount_cents"], p["refunded_cents"]) for p in payments["payments"]
    ] == [("refunded", 3996, 3996)]
    assert platform.call("shipping.get_shipments", order_id=submitted["order_id"]) == []
