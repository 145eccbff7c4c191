"""Not enough stock: the saga ends compensated at the first step and nothing is charged."""

from __future__ import annotations

from tests.platform import RunningPlatform, new_sku, order


def test_out_of_stock_charges_nothing_and_ships_nothing(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 1)
    submitted = order(sku=sku, quantity=2)

    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])

    assert saga["state"] == "compensated"
    assert saga["failure"]["step"] == "reserve_inventory"
    assert saga["failure"]["code"] == "out_of_stock"
    assert sku in saga["failure"]["reason"]
    assert [s["status"] for s in saga["steps"]] == ["failed", "succeeded", "pending", "pending"]
    sent = [h["message_type"] for h in saga["history"] if h["kind"].endswith("_sent")]
    assert sent == ["ReserveInventory", "ScreenOrder"]  # together: the screening answers too
    assert saga["history"][-1]["message_type"] == "OrderCancelled"

    assert platform.stock(sku) == {"sku": sku, "available": 1, "reserved": 0}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments == {"order_id": submitted["order_id"], "payments": [], "net_charged_cents": 0}
    assert platform.call("shipping.get_shipments", order_id=submitted["order_id"]) == []
