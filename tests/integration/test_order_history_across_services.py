"""`sagactl history ORDER_ID`: everything that happened to an order, across the
orchestrator, every participant and every reactor, in time order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order

SAGACTL = str(Path(sys.executable).parent / "sagactl")


def sagactl(platform: RunningPlatform, *args: str) -> str:
    done = subprocess.run(
        [SAGACTL, "--broker", platform.broker_url, "--timeout", "20", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "SAGA_RESULT_BACKEND": platform.results_url},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_history_shows_every_service_in_time_order(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 2)
    submitted = order(sku=sku, quantity=2, country="ZZ")  # reserve, charge, refund, release
    placed = platform.call("orchestrator.place_order", **submitted)
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "compensated"
    wait_for_every_reactor(platform, platform.event_of(submitted["order_id"], "OrderCancelled"))

    found = json.loads(sagactl(platform, "history", submitted["order_id"], "--json"))
    whats = {service: [e["what"] for e in entries] for service, entries in found["trails"].items()}

    assert found["silent"] == []
    assert whats["inventory"] == ["reserved", "released"]
    assert whats["payment"] == ["charged", "refunded"]
    assert whats["shipping"] == []
    assert whats["reactor.email"] == ["cancellation email sent"]
    assert whats["reactor.analytics"] == ["fact recorded: cancelled"]
    assert whats["reactor.crm"] == ["customer history: OrderCancelled"]

    text = sagactl(platform, "history", submitted["order_id"])
    lines = text.splitlines()
    assert lines[0] == (
        f"checkout {submitted['order_id']}, saga {placed['saga_id']}: everything, times UTC"
    )
    assert lines[-1] == "state now: compensated"
    order_of_events = [
        next(i for i, line in enumerate(lines) if needle in line)
        for needle in ("reserved", "charged", "refunded", "released", "cancellation email")
    ]
    assert order_of_events == sorted(order_of_events)  # in time order across services
