"""Checkout version 2 on real workers: the fraud screening beside the reservation, a
partial reservation charged and shipped for what it got, a fraud verdict on an order big
enough for review (released, never reviewed, never charged), and a malformed
``allow_partial`` refused with the field named."""

from __future__ import annotations

import pytest

from tests.platform import RunningPlatform, new_sku, order

BIG = 600_000  # cents: above the platform's review threshold (5,000.00)


def test_a_clean_order_is_screened_and_confirmed_with_its_carrier(
    platform: RunningPlatform,
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, quantity=2)
    placed = platform.call("orchestrator.place_order", **submitted)

    saga = platform.wait_for_saga(placed["saga_id"])
    assert (saga["state"], saga["definition_version"]) == ("completed", 2)
    (screening,) = platform.call("fraud.get_screenings", order_id=submitted["order_id"])
    assert screening["verdict"] == "accepted", screening
    confirmed = platform.event_of(submitted["order_id"], "OrderConfirmed")
    assert confirmed["schema_version"] == 2
    assert (confirmed["payload"]["carrier"], confirmed["payload"]["left_out"]) == (
        "letter-post",  # 2 units of 500 g to FR, shipping's home country
        [],
    )


def test_a_partial_order_is_charged_and_shipped_for_what_was_reserved(
    platform: RunningPlatform,
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 2)
    submitted = {**order(sku=sku, quantity=5, unit_price_cents=1000), "allow_partial": True}
    placed = platform.call("orchestrator.place_order", **submitted)

    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "completed", saga
    assert saga["data"]["missing"] == [{"sku": sku, "quantity": 3}]
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == 2000
    (shipment,) = platform.call("shipping.get_shipments", order_id=submitted["order_id"])
    assert shipment["items"] == [{"sku": sku, "quantity": 2}]
    assert platform.stock(sku) == {"sku": sku, "available": 0, "reserved": 2}
    event = platform.event_of(submitted["order_id"], "OrderConfirmed")["payload"]
    assert (event["total_cents"], event["left_out"]) == (
        2000,
        [{"sku": sku, "quantity": 3, "unit_price_cents": 1000}],
    )


def test_fraud_on_an_order_due_for_review_is_released_never_reviewed_never_charged(
    platform: RunningPlatform,
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 3)
    submitted = order(sku=sku, quantity=1, unit_price_cents=BIG, token="tok_fraud")
    placed = platform.call("orchestrator.place_order", **submitted)

    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "compensated"
    assert saga["failure"]["code"] == "fraud_rejected"
    assert "awaiting_approval" not in {h["kind"] for h in saga["history"]}  # never reviewed
    assert platform.stock(sku) == {"sku": sku, "available": 3, "reserved": 0}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["payments"] == []
    assert platform.call("shipping.get_shipments", order_id=submitted["order_id"]) == []
    cancelled = platform.event_of(submitted["order_id"], "OrderCancelled")["payload"]
    assert cancelled["code"] == "fraud_rejected"


def test_allow_partial_that_is_not_a_boolean_is_refused_naming_it(
    platform: RunningPlatform,
) -> None:
    submitted = {**order(sku=new_sku()), "allow_partial": "yes"}

    with pytest.raises(ValueError, match=r"allow_partial: Input should be a valid boolean"):
        platform.call("orchestrator.place_order", **submitted)
    with pytest.raises(LookupError):
        platform.call("orchestrator.get_saga", order_id=submitted["order_id"])
