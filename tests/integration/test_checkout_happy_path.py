"""Reserve -> charge -> ship -> confirm on real workers; each participant's data shows it."""

from __future__ import annotations

from tests.checkout_history import HAPPY_PATH_KINDS_V2
from tests.platform import RunningPlatform, new_sku, order


def test_order_completes_and_every_participant_records_its_part(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 10)
    submitted = order(sku=sku, quantity=3, unit_price_cents=1250)

    placed = platform.call("orchestrator.place_order", **submitted)
    assert placed["order_id"] == submitted["order_id"]
    assert placed["state"] == "running"

    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "completed"
    assert [s["status"] for s in saga["steps"]] == ["succeeded"] * 4
    assert saga["current_step"] is None
    kinds = [h["kind"] for h in saga["history"]]
    assert kinds == [*HAPPY_PATH_KINDS_V2, "event_recorded"]
    assert saga["history"][-1]["message_type"] == "OrderConfirmed"

    assert platform.stock(sku) == {"sku": sku, "available": 7, "reserved": 3}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 3750
    assert [p["status"] for p in payments["payments"]] == ["charged"]
    assert payments["payments"][0]["payment_id"] == saga["data"]["payment_id"]
    shipments = platform.call("shipping.get_shipments", order_id=submitted["order_id"])
    assert len(shipments) == 1
    assert shipments[0]["shipment_id"] == saga["data"]["shipment_id"]
    assert shipments[0]["address"]["country"] == "FR"
