"""Flower, started from the Procfile with basic auth, sees every worker and the tasks of
one saga across every service; its API refuses requests without the password.

Workers send task events only once a monitor asks (SAGA_TASK_EVENTS=watched): Flower
asks every 5 s, so tasks that ran in the 5 s after it started with them are not shown."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from messaging.service_app import is_amqp
from tests.platform import FLOWER_AUTH, RunningPlatform, new_sku, order, wait_for

NODES = {
    "orchestrator", "inventory", "payment", "shipping",
    "reactor.email", "reactor.analytics", "reactor.crm",
}  # fmt: skip


def api(platform: RunningPlatform, path: str, auth: str | None = FLOWER_AUTH) -> Any:
    request = urllib.request.Request(platform.flower_url + path)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        exc.close()  # an HTTPError holds the response's socket
        raise


def reachable(platform: RunningPlatform, path: str) -> Any:
    def probe() -> Any:
        try:
            return api(platform, path)
        except (urllib.error.URLError, ConnectionError):
            return None

    return wait_for(probe, lambda got: got is not None, timeout=60, interval=0.5)


def test_flower_shows_every_worker_and_the_tasks_of_a_saga(platform: RunningPlatform) -> None:
    workers = wait_for(
        lambda: reachable(platform, "/api/workers?refresh=1"),
        lambda got: {name.split("@")[0] for name in got} >= NODES,
        timeout=60,
    )
    assert {name.split("@")[0] for name in workers} >= NODES

    sku = new_sku()

    probed = ["orchestrator", "inventory", "payment", "shipping", "reactor.email", "reactor.crm"]

    def flower_sees_every_worker_task() -> bool:  # once Flower has asked each for events
        for service in probed:
            platform.call(f"{service}.store_figures")
        tasks = api(platform, "/api/tasks?limit=5000")
        seen = {info.get("name") for info in tasks.values()}
        return all(f"{service}.store_figures" in seen for service in probed)

    assert wait_for(flower_sees_every_worker_task, bool, timeout=30, interval=1.0)
    platform.set_stock(sku, 1)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=1))
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"

    def saga_tasks() -> set[str]:
        tasks = api(platform, "/api/tasks?limit=5000")
        return {
            info["name"]
            for info in tasks.values()
            if placed["saga_id"] in str(info.get("kwargs", "")) and info.get("name")
        }

    core = {
        "inventory.handle_message",
        "payment.handle_message",
        "shipping.handle_message",
        "orchestrator.handle_message",
    }
    reactors = {"reactor.email.handle_message", "reactor.crm.handle_message"}
    seen = wait_for(saga_tasks, lambda names: core <= names and bool(reactors & names), timeout=30)
    assert core <= seen
    assert reactors & seen  # the dispatcher's copies carry the saga id too


def test_flower_api_needs_the_password(platform: RunningPlatform) -> None:
    reachable(platform, "/api/workers")
    with pytest.raises(urllib.error.HTTPError) as refused:
        api(platform, "/api/workers", auth=None)
    assert refused.value.code == 401


def test_flower_shows_the_length_of_every_service_queue(platform: RunningPlatform) -> None:
    if is_amqp(platform.broker_url):
        pytest.skip(
            "on RabbitMQ Flower reads queue lengths from the management API (--broker-api), "
            "which this platform does not configure (docs/monitoring.md)"
        )
    queues = {"orchestrator", "inventory", "payment", "shipping", "reactor.email", "reactor.crm"}

    def lengths() -> dict[str, int]:
        answer = reachable(platform, "/api/queues/length")
        return {q["name"]: q["messages"] for q in answer.get("active_queues", [])}

    seen = wait_for(lengths, lambda got: queues <= set(got), timeout=60, interval=1.0)
    assert all(isinstance(seen[name], int) and seen[name] >= 0 for name in queues), seen
