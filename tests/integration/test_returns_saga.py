"""A checkout, then a partial return of it, on real workers (SQLite and PostgreSQL):
the exact partial refund, the restocked quantities, the label, one email, the analytics
refund row and the CRM history; the same lines again are refused; a refused refund ends
the return compensated with its label voided."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devtools.smtp_sink import SmtpSink
from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order, wait_for

RETURN_REACTORS = ("email", "analytics", "crm")  # the test's audit reactor reads orders only


def completed_order(
    platform: RunningPlatform, token: str = "tok_visa"
) -> tuple[dict[str, Any], str, str]:
    """A completed checkout of 3 MUG at 12.50 and 1 PEN at 1.99; its two SKUs."""
    mug, pen = new_sku(), new_sku()
    platform.set_stock(mug, 10)
    platform.set_stock(pen, 10)
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    submitted = order(sku=mug, quantity=3, unit_price_cents=1250, customer_id=customer, token=token)
    submitted["items"].append({"sku": pen, "quantity": 1, "unit_price_cents": 199})
    placed = platform.call("orchestrator.place_order", **submitted)
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    return submitted, mug, pen


def start_return(
    platform: RunningPlatform, order_id: str, lines: dict[str, int], return_id: str | None = None
) -> dict[str, Any]:
    started: dict[str, Any] = platform.call(
        "orchestrator.start_saga",
        definition="returns",
        input={
            "return_id": return_id or f"ret-{uuid.uuid4().hex[:10]}",
            "order_id": order_id,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "reason": "does not fit",
        },
    )
    return started


def refunds_today(platform: RunningPlatform) -> tuple[int, int]:
    rows = platform.call("reactor.analytics.refunds_per_day")
    return (
        sum(r["refunds"] for r in rows if r["currency"] == "EUR"),
        sum(r["refunded_cents"] for r in rows if r["currency"] == "EUR"),
    )


def test_a_partial_return_refunds_restocks_and_reaches_every_reactor(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    submitted, mug, pen = completed_order(platform)
    order_id, customer = submitted["order_id"], submitted["customer"]["id"]
    refunds_before = refunds_today(platform)

    started = start_return(platform, order_id, {mug: 2})
    assert started["state"] == "running" and started["duplicate"] is False

    saga = platform.wait_for_saga(started["saga_id"])
    assert saga["state"] == "completed", saga
    assert (saga["definition"], saga["parent_key"]) == ("returns", order_id)
    assert saga["summary"] == {"order": order_id, "refund": "25.00 EUR"}
    sent = [h for h in saga["history"] if h["kind"] == "command_sent"]
    assert [h["message_type"] for h in sent] == [
        "CreateReturnLabel",
        "RefundPayment",
        "RestockInventory",
    ]
    assert sent[0]["version"] == sent[1]["version"]  # label and refund went out together

    refunds = platform.call("payment.get_refunds", order_id=order_id)
    assert [(r["amount_cents"], r["reference"]) for r in refunds] == [
        (2500, f"return:{started['business_key']}")
    ]
    payments = platform.call("payment.get_payments", order_id=order_id)
    assert payments["net_charged_cents"] == 3 * 1250 + 199 - 2500
    assert platform.stock(mug)["available"] == 10 - 3 + 2
    assert platform.stock(pen)["available"] == 10 - 1
    labels = platform.call("shipping.get_return_labels", order_id=order_id)
    assert [(lb["return_id"], lb["status"]) for lb in labels] == [
        (started["business_key"], "created")
    ]
    assert labels[0]["tracking_number"] == saga["data"]["tracking_number"]

    event = platform.event_of(order_id, "ReturnCompleted")
    assert event["payload"]["refund_cents"] == 2500
    wait_for_every_reactor(platform, event, RETURN_REACTORS)
    emails = [m for m in smtp_sink.messages_for(order_id) if "refund" in m["Subject"]]
    assert len(emails) == 1
    assert "your refund of 25.00 eur is on its way" in emails[0].get_content().lower()
    assert refunds_today(platform) == (refunds_before[0] + 1, refunds_before[1] + 2500)
    crm = platform.call("reactor.crm.get_customer", customer_id=customer)
    assert crm["lifetime_value_cents"] == 3 * 1250 + 199 - 2500
    assert [h["event"] for h in crm["history"]] == ["OrderConfirmed", "ReturnCompleted"]

    # the same lines again: refused, nothing started, nothing refunded
    with pytest.raises(ValueError, match=r"2 x .* asked, but 3 were bought and 2 already"):
        start_return(platform, order_id, {mug: 2})
    # the rest of the order can still come back; the same return id is the same saga
    last = start_return(platform, order_id, {mug: 1, pen: 1}, return_id="ret-last-" + order_id)
    again = start_return(platform, order_id, {mug: 1, pen: 1}, return_id="ret-last-" + order_id)
    assert (again["saga_id"], again["duplicate"]) == (last["saga_id"], True)
    assert platform.wait_for_saga(last["saga_id"])["state"] == "completed"
    refunds = platform.call("payment.get_refunds", order_id=order_id)
    assert sorted(r["amount_cents"] for r in refunds) == [1250 + 199, 2500]
    assert platform.call("payment.get_payments", order_id=order_id)["net_charged_cents"] == 0
    listed = platform.call("orchestrator.list_sagas", definition="returns", parent_key=order_id)
    assert sorted(s["business_key"] for s in listed) == sorted(
        [started["business_key"], last["business_key"]]
    )


def test_a_refused_refund_voids_the_label_and_rejects_the_return(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    submitted, mug, _pen = completed_order(platform, token="tok_refund_fails")
    order_id = submitted["order_id"]

    started = start_return(platform, order_id, {mug: 1})
    saga = platform.wait_for_saga(started["saga_id"])

    assert saga["state"] == "compensated", saga
    assert saga["failure"]["step"] == "refund_payment"
    assert saga["failure"]["code"] == "processor_error"
    steps = {s["name"]: s["status"] for s in saga["steps"]}
    assert steps == {
        "create_return_label": "compensated",
        "refund_payment": "failed",
        "restock_inventory": "pending",
    }
    labels = platform.call("shipping.get_return_labels", order_id=order_id)
    assert [lb["status"] for lb in labels] == ["voided"]
    assert platform.call("payment.get_refunds", order_id=order_id) == []
    assert platform.stock(mug)["available"] == 10 - 3  # nothing restocked

    event = platform.event_of(order_id, "ReturnRejected")
    assert (event["payload"]["code"], event["payload"]["refund_cents"]) == ("processor_error", 0)
    wait_for_every_reactor(platform, event, RETURN_REACTORS)
    rejected = wait_for(
        lambda: [m for m in smtp_sink.messages_for(order_id) if "return" in m["Subject"]],
        lambda found: len(found) >= 1,
        timeout=10,
    )
    assert len(rejected) == 1
    assert "nothing was refunded" in rejected[0].get_content().lower()
    # a rejected return gave its line back: it may be asked for again (and is refused
    # by the card network again)
    second = start_return(platform, order_id, {mug: 3})
    assert second["duplicate"] is False
    assert platform.wait_for_saga(second["saga_id"])["state"] == "compensated"


def test_bad_returns_are_refused_naming_the_reason(platform: RunningPlatform) -> None:
    with pytest.raises(ValueError, match="unknown saga definition 'exchange'"):
        platform.call("orchestrator.start_saga", definition="exchange", input={})
    with pytest.raises(ValueError, match=r"invalid returns input: lines\.0\.quantity"):
        start_return(platform, "ord-x", {"MUG": 0})
    with pytest.raises(ValueError, match="no order 'ord-nowhere'"):
        start_return(platform, "ord-nowhere", {"MUG": 1})
    sku = new_sku()
    platform.set_stock(sku, 5)
    running = order(sku=sku, token="tok_declined")
    placed = platform.call("orchestrator.place_order", **running)
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "compensated"
    with pytest.raises(ValueError, match="is compensated, not completed"):
        start_return(platform, running["order_id"], {sku: 1})
    submitted, mug, _pen = completed_order(platform)
    with pytest.raises(ValueError, match=r"4 x .* asked, but 3 were bought"):
        start_return(platform, submitted["order_id"], {mug: 4})
    assert platform.call("payment.get_refunds", order_id=submitted["order_id"]) == []
    assert platform.call("orchestrator.list_sagas", definition="returns", parent_key="ord-x") == []
