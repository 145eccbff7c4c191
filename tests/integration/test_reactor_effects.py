"""Every confirmed order gives exactly one email, one analytics fact and one CRM history
entry; a cancelled order gives a cancellation notice and no confirmation effects."""

from __future__ import annotations

import uuid
from typing import Any

from devtools.smtp_sink import SmtpSink
from tests.platform import RunningPlatform, new_sku, order, wait_for

REACTORS = ("email", "analytics", "crm", "audit")


def wait_for_every_reactor(
    platform: RunningPlatform, event: dict[str, Any], reactors: tuple[str, ...] = REACTORS
) -> None:
    """Until each reactor has the event in its own inbox: after that, counts are final."""
    from sqlalchemy import select

    from messaging.tables import inbox

    for name in reactors:
        engine = platform.engines[f"reactor.{name}"]

        def seen(engine: Any = engine) -> bool:
            query = select(inbox.c.message_id).where(inbox.c.message_id == event["message_id"])
            with engine.begin() as conn:
                return conn.execute(query).first() is not None

        wait_for(seen, bool, timeout=30)


def test_confirmed_order_has_each_effect_exactly_once(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    sku, customer = new_sku(), f"cust-{uuid.uuid4().hex[:8]}"
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, quantity=2, unit_price_cents=1500, customer_id=customer)
    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "completed"
    event = platform.event_of(submitted["order_id"], "OrderConfirmed")

    wait_for_every_reactor(platform, event)

    emails = smtp_sink.messages_for(submitted["order_id"])
    assert len(emails) == 1
    assert emails[0]["Subject"] == f"Your order {submitted['order_id']} is confirmed"
    assert emails[0]["To"] == "ada@example.com"
    assert saga["data"]["tracking_number"] in emails[0].get_content()
    assert "30.00 EUR" in emails[0].get_content()
    facts = platform.call("reactor.analytics.order_facts", order_id=submitted["order_id"])
    assert [(f["outcome"], f["total_cents"], f["units"]) for f in facts] == [("confirmed", 3000, 2)]
    crm = platform.call("reactor.crm.get_customer", customer_id=customer)
    assert (crm["orders"], crm["lifetime_value_cents"]) == (1, 3000)
    assert [(h["order_id"], h["event"]) for h in crm["history"]] == [
        (submitted["order_id"], "OrderConfirmed")
    ]
    sent = platform.call("reactor.email.sent_emails", order_id=submitted["order_id"])
    assert [s["kind"] for s in sent] == ["confirmation"]


def test_cancelled_order_gets_a_cancellation_notice_only(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    sku, customer = new_sku(), f"cust-{uuid.uuid4().hex[:8]}"
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, token="tok_declined", customer_id=customer)
    placed = platform.call("orchestrator.place_order", **submitted)
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "compensated"
    event = platform.event_of(submitted["order_id"], "OrderCancelled")

    wait_for_every_reactor(platform, event)

    emails = smtp_sink.messages_for(submitted["order_id"])
    assert [m["Subject"] for m in emails] == [f"Your order {submitted['order_id']} was cancelled"]
    assert "the card was declined" in emails[0].get_content()
    facts = platform.call("reactor.analytics.order_facts", order_id=submitted["order_id"])
    assert [(f["outcome"], f["total_cents"]) for f in facts] == [("cancelled", 0)]
    crm = platform.call("reactor.crm.get_customer", customer_id=customer)
    assert (crm["orders"], crm["lifetime_value_cents"]) == (0, 0)
    assert [h["event"] for h in crm["history"]] == ["OrderCancelled"]
