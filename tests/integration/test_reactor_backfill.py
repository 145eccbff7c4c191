"""A backfill sends a reactor past events from the orchestrator's event log again, a page
at a time; the reactor deduplicates them by event id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from messaging.tables import inbox
from tests.platform import RunningPlatform, new_sku, order, wait_for


def test_backfill_sends_missed_events_once(platform: RunningPlatform) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    sku = new_sku()
    platform.set_stock(sku, 3)
    submitted = order(sku=sku)
    placed = platform.call("orchestrator.place_order", **submitted)
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    event = platform.event_of(submitted["order_id"], "OrderConfirmed")
    wait_for(
        lambda: platform.call("reactor.audit.entries", order_id=submitted["order_id"]),
        bool,
        timeout=30,
    )
    # Make the audit reactor as new as one installed after the order: no trace of it.
    with platform.engines["reactor.audit"].begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM audit_entries WHERE order_id = %s"
            if platform.store == "postgresql"
            else "DELETE FROM audit_entries WHERE order_id = ?",
            (submitted["order_id"],),
        )
        conn.execute(delete(inbox).where(inbox.c.message_id == event["message_id"]))

    first = platform.call("events.backfill", name="audit", since=since)
    second = platform.call("events.backfill", name="audit", since=since)

    assert first["events"] >= 1
    assert second["events"] == first["events"]
    entries = wait_for(
        lambda: platform.call("reactor.audit.entries", order_id=submitted["order_id"]),
        bool,
        timeout=30,
    )
    # Both backfills delivered it; the second copy found the event id in the inbox.
    log = platform.processes.log_dir / "reactor-audit.log"
    # received + succeeded, for the first delivery and each backfill
    wait_for(log.read_text, lambda text: text.count(event["message_id"]) >= 6, timeout=30)
    entries = platform.call("reactor.audit.entries", order_id=submitted["order_id"])
    assert [e["event_id"] for e in entries] == [event["message_id"]]


def test_backfill_of_an_unknown_reactor_is_refused(platform: RunningPlatform) -> None:
    with pytest.raises(LookupError, match="no reactor named 'nope' has subscribed"):
        platform.call("events.backfill", name="nope")
