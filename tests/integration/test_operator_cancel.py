"""An operator cancels a running saga: the command in flight finishes, then everything
that committed is undone in reverse order."""

from __future__ import annotations

from tests.platform import RunningPlatform, new_sku, order, wait_for


def test_cancel_while_charging_refunds_and_releases(platform: RunningPlatform) -> None:
    platform.processes.stop_one("payment")
    try:
        sku = new_sku()
        platform.set_stock(sku, 3)
        submitted = order(sku=sku, quantity=3)
        placed = platform.call("orchestrator.place_order", **submitted)
        wait_for(
            lambda: platform.saga(placed["saga_id"]),
            lambda s: s["current_step"] == "charge_payment",
            timeout=20,
        )
        cancelled = platform.call(
            "orchestrator.cancel_saga", saga_id=placed["saga_id"], reason="customer called"
        )
        assert cancelled["state"] == "running"  # the charge is in flight: wait for it
    finally:
        platform.restart("payment")

    saga = platform.wait_for_saga(placed["saga_id"], timeout=60)
    assert saga["state"] == "compensated"
    assert saga["failure"]["code"] == "cancelled"
    assert saga["failure"]["reason"] == "customer called"
    assert [s["status"] for s in saga["steps"]] == [
        "compensated",
        "succeeded",
        "compensated",
        "pending",
    ]
    assert platform.stock(sku) == {"sku": sku, "available": 3, "reserved": 0}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 0
    assert platform.call("shipping.get_shipments", order_id=submitted["order_id"]) == []
