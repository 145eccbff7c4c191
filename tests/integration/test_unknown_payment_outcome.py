"""tok_timeout: the card network does not answer in time. The saga asks for the
payment's status until it is known and goes on; the card is charged exactly once."""

from __future__ import annotations

from tests.platform import RunningPlatform, new_sku, order


def test_unknown_charge_is_resolved_by_asking_not_by_charging_again(
    platform: RunningPlatform,
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 1)
    submitted = order(sku=sku, quantity=1, token="tok_timeout")
    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])

    assert saga["state"] == "completed"
    kinds = [h["kind"] for h in saga["history"]]
    assert "outcome_unknown" in kinds
    sent = [h["message_type"] for h in saga["history"] if h["kind"] == "command_sent"]
    assert sent.count("ChargePayment") == 1
    assert "CheckPaymentStatus" in sent
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert [(p["status"], p["amount_cents"]) for p in payments["payments"]] == [("charged", 1250)]
    assert payments["net_charged_cents"] == 1250
