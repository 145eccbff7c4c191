"""Orders above the review threshold pause in `awaiting_approval` before the charge; an
approval resumes them, a rejection releases the stock and charges nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform import RunningPlatform, new_sku, order, wait_for

BIG = 600_000  # cents, above the platform's SAGA_REVIEW_THRESHOLD_CENTS of 500,000


def _awaiting_review(platform: RunningPlatform) -> tuple[dict[str, Any], str, str]:
    sku = new_sku()
    platform.set_stock(sku, 1)
    submitted = order(sku=sku, quantity=1, unit_price_cents=BIG)
    placed = platform.call("orchestrator.place_order", **submitted)
    wait_for(
        lambda: platform.saga(placed["saga_id"]),
        lambda s: s["state"] == "awaiting_approval",
        timeout=20,
    )
    return submitted, placed["saga_id"], sku


def test_approved_order_is_charged_and_shipped(platform: RunningPlatform) -> None:
    submitted, saga_id, sku = _awaiting_review(platform)
    assert platform.call("payment.get_payments", order_id=submitted["order_id"])["payments"] == []

    approved = platform.call("orchestrator.approve_saga", saga_id=saga_id, by="alice")
    saga = platform.wait_for_saga(saga_id)

    assert approved["state"] == "running"
    assert saga["state"] == "completed"
    assert [h["kind"] for h in saga["history"]].count("approved") == 1
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments["net_charged_cents"] == BIG
    assert platform.stock(sku) == {"sku": sku, "available": 0, "reserved": 1}


def test_rejected_order_releases_stock_and_charges_nothing(platform: RunningPlatform) -> None:
    submitted, saga_id, sku = _awaiting_review(platform)

    platform.call("orchestrator.reject_saga", saga_id=saga_id, reason="failed fraud review")
    saga = platform.wait_for_saga(saga_id)

    assert saga["state"] == "compensated"
    assert saga["failure"] == {
        "step": "charge_payment",
        "code": "rejected",
        "reason": "failed fraud review",
    }
    assert platform.stock(sku) == {"sku": sku, "available": 1, "reserved": 0}
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert payments == {"order_id": submitted["order_id"], "payments": [], "net_charged_cents": 0}


def test_decision_on_an_order_not_under_review_is_refused(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 1)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=1))
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    with pytest.raises(ValueError, match="not awaiting approval"):
        platform.call("orchestrator.approve_saga", saga_id=placed["saga_id"])
