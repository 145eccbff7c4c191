"""A crash between commit and publish leaves outbox rows unpublished; the relay process
publishes them and the saga goes on."""

from __future__ import annotations

from sqlalchemy import select

from messaging import outbox
from messaging.tables import outbox as outbox_table
from orchestrator.saga_store import actions
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.platform import RunningPlatform, new_sku, order, wait_for


def test_relay_publishes_what_a_crash_left_behind(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 2)
    submitted = order(sku=sku, quantity=2)

    # Exactly what orchestrator.place_order commits, then "crash" before publishing.
    with platform.engines["orchestrator"].begin() as conn:
        started = actions.begin(conn, CHECKOUT, submitted["order_id"], {"order": submitted}, "c")
        (row,) = outbox.add(conn, started.outgoing)

    saga = platform.wait_for_saga(started.saga_id)

    assert saga["state"] == "completed"
    with platform.engines["orchestrator"].begin() as conn:
        published_at = conn.execute(
            select(outbox_table.c.published_at).where(outbox_table.c.id == row.id)
        ).scalar_one()
    assert published_at is not None
    assert platform.stock(sku) == {"sku": sku, "available": 0, "reserved": 2}
    relay_log = platform.processes.log_dir / "relay-orchestrator.log"
    wait_for(relay_log.read_text, lambda text: "relay_published_leftovers" in text, timeout=10)
