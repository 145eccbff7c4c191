"""A declined card: the reservation is released exactly, nothing is charged or shipped."""

from __future__ import annotations

import pytest

from tests.platform import RunningPlatform, new_sku, order


@pytest.mark.parametrize(
    ("token", "code"),
    [("tok_declined", "card_declined"), ("tok_insufficient_funds", "insufficient_funds")],
)
def test_declined_card_releases_the_stock_it_reserved(
    platform: RunningPlatform, token: str, code: str
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, quantity=3, token=token)

    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])

    assert saga["state"] == "compensated"
    assert saga["failure"]["code"] == code
    assert [s["status"] for s in saga["steps"]] == ["compensated", "succeeded", "failed", "pending"]
    sent = [h["message_type"] for h in saga["history"] if h["kind"].endswith("_sent")]
    assert sent == ["ReserveInventory", "ScreenOrder", "ChargePayment", "ReleaseInventory"]

    assert platform.stock(sku) == {"sku": sku, "available": 5, "reserved": 0}
    reservations = platform.call("inventory.get_reservations", order_id=submitted["order_id"])
    assert [(r["status"], r["items"]) for r in reservations] == [
        ("released", [{"sku": sku, "quantity": 3}])
    ]
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 0
    assert payments["payments"] == []
    assert platform.call("shipping.get_shipments", order_id=submitted["order_id"]) == []
