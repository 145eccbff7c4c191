"""Every log line is JSON (Celery's own lines too), and the lines about one saga carry its
ids in every service it crossed: the ids travel in message headers and envelopes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.platform import RunningPlatform, new_sku, order, wait_for

# Processes whose lines are ours to format (Flower and the web view log their own way).
SERVICES = {
    "orchestrator": "orchestrator",
    "inventory": "inventory",
    "payment": "payment",
    "shipping": "shipping",
    "fraud": "fraud",
    "reactor-email": "reactor.email",
    "reactor-analytics": "reactor.analytics",
    "reactor-crm": "reactor.crm",
}
STEPS = {
    "inventory": "reserve_inventory",
    "payment": "charge_payment",
    "shipping": "create_shipment",
    "fraud": "screen_fraud",
}
# Celery's default log format, which must no longer appear: "[2026-12-01 08:40:07,698: INFO/"
PLAIN_CELERY_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,]+: [A-Z]+/")


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for text in path.read_text(errors="replace").splitlines():
        assert not PLAIN_CELERY_LINE.match(text), f"{path.name}: plain log line {text!r}"
        if text.startswith("{"):
            lines.append(json.loads(text))  # a line that starts like JSON must be JSON
    return lines


def about(saga_id: str, log_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [line for line in json_lines(log_dir / f"{name}.log") if line["saga_id"] == saga_id]
        for name in SERVICES
    }


def test_each_service_logs_the_saga_with_its_ids(platform: RunningPlatform, log_dir: Path) -> None:
    sku = new_sku()
    platform.set_stock(sku, 5)
    submitted = order(sku=sku)
    placed = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(placed["saga_id"])
    assert saga["state"] == "completed"
    saga_id = saga["saga_id"]
    correlation_id = saga["correlation_id"]

    # the reactors log after the saga ended: wait until each has a line about it
    lines = wait_for(lambda: about(saga_id, log_dir), lambda found: all(found.values()), 30)

    for name, service in SERVICES.items():
        for line in lines[name]:
            where = f"{name}: {line}"
            assert line["service"] == service, where
            assert line["order_id"] == submitted["order_id"], where
            assert line["correlation_id"] == correlation_id, where
            assert line["level"] in {"debug", "info", "warning", "error"}, where
            assert line["timestamp"].endswith("Z"), where
            if line.get("task_name", "").endswith(".handle_message"):
                assert line["message_id"] == line["task_id"], where
                assert line["causation_id"], where  # every message but the order has a cause
        loggers = {line["logger"] for line in lines[name]}
        # Celery's own "Task ... succeeded" line is about this saga too
        assert "celery.app.trace" in loggers, f"{name}: {sorted(loggers)}"

    for name, step in STEPS.items():
        assert {line["step"] for line in lines[name]} == {step}, f"{name}: {lines[name]}"

    # The message ids in the participants' lines are the commands the saga sent
    sent = {h["message_id"] for h in saga["history"] if h["kind"] == "command_sent"}
    seen = {line["message_id"] for name in STEPS for line in lines[name]}
    assert sent <= seen, (sent, seen)
