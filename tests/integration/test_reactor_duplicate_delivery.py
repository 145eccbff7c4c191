"""Duplicate deliveries to reactors (a retry, a message restored after a killed worker)
still give each effect exactly once: every reactor deduplicates by event id."""

from __future__ import annotations

import os
import signal
import uuid
from typing import Any

from devtools.smtp_sink import SmtpSink
from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order, wait_for


def _completed(platform: RunningPlatform, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    sku = new_sku()
    platform.set_stock(sku, 5)
    submitted = order(sku=sku, **kwargs)
    placed = platform.call("orchestrator.place_order", **submitted)
    assert platform.wait_for_saga(placed["saga_id"], timeout=60)["state"] == "completed"
    return submitted, platform.event_of(submitted["order_id"], "OrderConfirmed")


def test_same_event_delivered_again_changes_nothing(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    submitted, event = _completed(platform, customer_id=customer)
    wait_for_every_reactor(platform, event)
    totals_before = platform.call("reactor.analytics.daily_totals")

    for name in ("email", "analytics", "crm"):
        platform.send(f"reactor.{name}.handle_message", message=event)
        platform.send(f"reactor.{name}.handle_message", message=event)
    # A marker event behind the duplicates on each queue: once it is handled, so are they.
    _marker, marker_event = _completed(platform)
    wait_for_every_reactor(platform, marker_event)

    assert len(smtp_sink.messages_for(submitted["order_id"])) == 1
    facts = platform.call("reactor.analytics.order_facts", order_id=submitted["order_id"])
    assert len(facts) == 1
    crm = platform.call("reactor.crm.get_customer", customer_id=customer)
    assert (crm["orders"], len(crm["history"])) == (1, 1)
    totals_after = platform.call("reactor.analytics.daily_totals")
    marker_total = 2 * 1250
    assert (
        sum(t["revenue_cents"] for t in totals_after)
        - sum(t["revenue_cents"] for t in totals_before)
        == marker_total
    )


def test_event_restored_after_a_killed_reactor_process_is_applied_once(
    platform: RunningPlatform,
) -> None:
    # The audit reactor sleeps inside its transaction for "audit-slow" orders.
    order_id = f"audit-slow-{uuid.uuid4().hex[:8]}"
    sku = new_sku()
    platform.set_stock(sku, 5)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, order_id=order_id))
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    event = platform.event_of(order_id, "OrderConfirmed")
    log = platform.processes.log_dir / "reactor-audit.log"
    received = f"handle_message[{event['message_id']}] received"
    wait_for(log.read_text, lambda text: received in text, timeout=30)

    children = platform.pool_children("reactor-audit")
    assert children, "the audit worker has no pool process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)  # mid-event: its insert is not committed

    entries = wait_for(
        lambda: platform.call("reactor.audit.entries", order_id=order_id), bool, timeout=60
    )
    assert [e["event_id"] for e in entries] == [event["message_id"]]
    text = log.read_text()
    assert "WorkerLostError" in text or "exited with 'signal 9 (SIGKILL)'" in text
    # Delivered at least twice (the restore), applied once.
    assert text.count(received) >= 2
    # The pool process that replaced the killed one publishes (its answers to the
    # dispatcher's checks): it does not inherit its parent's closed broker pools.
    wait_for(
        lambda: {s["name"]: s for s in platform.call("events.subscriptions")}["audit"],
        lambda s: s["acknowledged"] == s["sent"],
        timeout=60,
        interval=0.3,
    )
    assert "Acquire on closed pool" not in log.read_text()
