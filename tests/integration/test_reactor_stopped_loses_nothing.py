"""An event published while a reactor is stopped waits in its own durable queue and is
processed when the reactor starts again; the saga and the other reactors do not wait."""

from __future__ import annotations

import functools

from devtools.smtp_sink import SmtpSink
from tests import broker_queues
from tests.platform import RunningPlatform, new_sku, order, wait_for


def test_stopped_reactor_catches_up_after_restart(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    platform.processes.stop_one("reactor-analytics")
    try:
        sku = new_sku()
        platform.set_stock(sku, 3)
        submitted = order(sku=sku, quantity=1)
        placed = platform.call("orchestrator.place_order", **submitted)
        assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
        wait_for(lambda: smtp_sink.messages_for(submitted["order_id"]), bool, timeout=20)

        waiting = functools.partial(broker_queues.depth, platform.broker_url, "reactor.analytics")
        wait_for(waiting, lambda n: n >= 1, timeout=20)
    finally:
        platform.restart("reactor-analytics")

    facts = wait_for(
        lambda: platform.call("reactor.analytics.order_facts", order_id=submitted["order_id"]),
        bool,
        timeout=30,
    )
    assert [f["outcome"] for f in facts] == ["confirmed"]
