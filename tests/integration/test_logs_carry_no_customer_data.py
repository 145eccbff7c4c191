"""No process of the platform writes a customer's email, name or street to its log: orders
of one customer run through every service (one confirmed, one declined and compensated),
then the reads that return the customer (``reactor.crm.get_customer``) and the saga
(``orchestrator.get_saga``); Celery's "Task ... succeeded" lines of those reads are there,
without the result."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order, wait_for


def _customer_order(sku: str, tag: str, token: str) -> dict[str, Any]:
    submitted = order(sku=sku, quantity=1, token=token, customer_id=f"cust-{tag}")
    name = f"Grace Hopper {tag}"
    submitted["customer"].update(email=f"grace.{tag}@example.org", name=name)
    submitted["shipping_address"].update(name=name, line1=f"{tag} Harbour Lane")
    return submitted


def _logged_success(log_dir: Path, name: str, task: str) -> bool:
    """Whether the process ``name`` has logged Celery's success line of ``task``."""
    for text in (log_dir / f"{name}.log").read_text(errors="replace").splitlines():
        try:
            event = str(json.loads(text)["event"]) if text.startswith("{") else ""
        except (ValueError, KeyError):  # a line being written
            continue
        if event.startswith(f"Task {task}[") and " succeeded in " in event:
            return True
    return False


def test_no_log_line_names_the_customer(platform: RunningPlatform, log_dir: Path) -> None:
    tag = uuid.uuid4().hex[:10]
    sku = new_sku()
    platform.set_stock(sku, 5)
    confirmed = _customer_order(sku, tag, "tok_visa")
    declined = _customer_order(sku, tag, "tok_declined")
    states = []
    for submitted in (confirmed, declined):
        placed = platform.call("orchestrator.place_order", **submitted)
        states.append(platform.wait_for_saga(placed["saga_id"])["state"])
    assert states == ["completed", "compensated"]
    for submitted, event in ((confirmed, "OrderConfirmed"), (declined, "OrderCancelled")):
        wait_for_every_reactor(platform, platform.event_of(submitted["order_id"], event))

    secrets = {
        "email": f"grace.{tag}@example.org",
        "name": f"Grace Hopper {tag}",
        "street": f"{tag} Harbour Lane",
    }
    customer = platform.call("reactor.crm.get_customer", customer_id=f"cust-{tag}")
    assert (customer["email"], customer["name"]) == (secrets["email"], secrets["name"])
    platform.call("orchestrator.get_saga", order_id=confirmed["order_id"])
    # Celery writes its success line after the client has the result: wait for both
    wait_for(
        lambda: (
            _logged_success(log_dir, "reactor-crm", "reactor.crm.get_customer")
            and _logged_success(log_dir, "orchestrator", "orchestrator.get_saga")
        ),
        bool,
        timeout=10,
    )

    logs = sorted(log_dir.glob("*.log"))
    assert any(path.name == "reactor-crm.log" for path in logs), logs
    leaks = [
        f"{path.name}:{number}: {what}"
        for path in logs
        for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1)
        for what, value in secrets.items()
        if value in text
    ]
    assert not leaks, leaks
