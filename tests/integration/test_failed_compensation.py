"""A compensation that fails leaves the saga `failed` with the reason, for an operator."""

from __future__ import annotations

from tests.platform import RunningPlatform, new_sku, order


def test_refund_refused_by_the_card_network_fails_the_saga(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 2)
    submitted = order(sku=sku, quantity=1, token="tok_refund_fails", country="ZZ")

    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])

    assert saga["state"] == "failed"
    assert "compensation of charge_payment failed" in saga["error"]
    assert "processor_error" in saga["error"]
    assert [s["status"] for s in saga["steps"]] == [
        "succeeded",
        "succeeded",
        "compensation_failed",
        "failed",
    ]
    # Nothing after the failed refund ran: the reservation is still held for the operator.
    assert platform.stock(sku) == {"sku": sku, "available": 1, "reserved": 1}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 1250
