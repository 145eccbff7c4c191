"""A reactor that lives outside our packages (tests/plugins/audit_reactor.py), registered
by entry point only, receives events: it announced itself when it started, and the
orchestrator was not changed for it."""

from __future__ import annotations

from typing import Any

from tests.platform import RunningPlatform, new_sku, order, wait_for


def test_entry_point_reactor_receives_confirmed_and_cancelled_events(
    platform: RunningPlatform,
) -> None:
    sku = new_sku()
    platform.set_stock(sku, 5)
    confirmed = order(sku=sku)
    cancelled = order(sku=sku, country="ZZ")
    subscribed = {s["name"]: s for s in platform.call("events.subscriptions")}
    assert subscribed["audit"]["active"]
    assert subscribed["audit"]["events"] == ["OrderCancelled", "OrderConfirmed"]
    for submitted in (confirmed, cancelled):
        placed = platform.call("orchestrator.place_order", **submitted)
        platform.wait_for_saga(placed["saga_id"])

    for submitted, event_type in ((confirmed, "OrderConfirmed"), (cancelled, "OrderCancelled")):

        def audit_entries(order_id: str = submitted["order_id"]) -> Any:
            return platform.call("reactor.audit.entries", order_id=order_id)

        entries = wait_for(audit_entries, bool, timeout=30)
        event = platform.event_of(submitted["order_id"], event_type)
        assert [(e["event_id"], e["event_type"]) for e in entries] == [
            (event["message_id"], event_type)
        ]
