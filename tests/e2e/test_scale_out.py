"""Scale-out: two of every worker, relay and sweeper (the event dispatcher and the
reactors too) against one PostgreSQL and one Redis, while orders flow down four paths and
a killer sends -9 to one process after another. Every saga ends as its path says, none
advanced twice (one applied reply per step), each order charged and shipped once at
most, stock adds up, and nothing is parked. A step's reply and its compensation's reply
are each applied once.

Its own Redis and its own PostgreSQL databases; every wait has a deadline."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.launcher import Platform, doubled, platform_env, read_procfile
from devtools.redis_server import RedisServer
from devtools.scratch_databases import postgres_databases
from devtools.smtp_sink import SmtpSink, free_port
from messaging.contracts.saga_status import TERMINAL_STATUSES
from messaging.settings import env_prefix
from saga_client import NoAnswer, SagaPlatform, TaskClient, build_app
from tests.conftest import POSTGRES_ADMIN_URL
from tests.platform import ROOT, SERVICES, new_sku, order, wait_for

SINGLE = ("flower", "metrics", "web")  # viewers: one each, never killed
ORDERS = 48
PATHS = ("completed", "card_declined", "fraud_rejected", "out_of_stock")
PRICE = 1250
PACE = 0.5  # seconds between two orders: about 25 s of submissions
KILLS = 20  # at least, while sagas are in flight


@pytest.fixture
def scaled(tmp_path: Path) -> Iterator[tuple[Platform, TaskClient]]:
    redis_server = RedisServer(tmp_path / "redis", durable=True)
    redis_server.start()
    sink = SmtpSink()
    sink.start()
    prefix = f"saga_s{uuid.uuid4().hex[:8]}"
    try:
        with postgres_databases(POSTGRES_ADMIN_URL, prefix, SERVICES) as urls:
            env = {f"{env_prefix(s)}_DATABASE_URL": url for s, url in urls.items()}
            env.update(
                SAGA_MIGRATE="auto",
                SAGA_BROKER_URL=redis_server.url,
                SAGA_DATA_DIR=str(tmp_path / "data"),
                SAGA_LOG_FORMAT="json",
                SAGA_VISIBILITY_TIMEOUT="10",
                SAGA_UNACKED_RESTORE_INTERVAL="1",
                SAGA_RELAY_GRACE="1.0",
                SAGA_EVENTS_CHECK_INTERVAL="2",
                REACTOR_EMAIL_SMTP_PORT=str(sink.port),
                FLOWER_PORT=str(free_port()),
                SAGA_METRICS_PORT=str(free_port()),
                SAGA_WEB_PORT=str(free_port()),
            )
            platform = Platform(
                doubled(read_procfile(ROOT / "Procfile"), SINGLE), platform_env(env), tmp_path
            )
            platform.start()
            client = build_app(redis_server.url, redis_server.url)
            try:
                platform.wait_until_ready(redis_server.url, timeout=180)
                yield platform, TaskClient(client, timeout=20.0)
            finally:
                platform.stop()
                client.close()
    finally:
        sink.stop()
        redis_server.stop()


def kill_loop(platform: Platform, stop: threading.Event, kills: Counter[str]) -> None:
    rng = random.Random(20261202)
    victims = [name for name in platform.commands if name not in SINGLE]
    while not stop.wait(rng.uniform(0.8, 1.6)):
        victim = rng.choice(victims)
        platform.kill(victim)
        kills[victim] += 1
        stop.wait(rng.uniform(0.2, 0.8))
        platform.start([victim])


def place(tasks: TaskClient, submitted: dict[str, Any], seconds: float) -> str:
    """A careful client: the same order again until it is answered."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            started: dict[str, Any] = tasks.call(
                "orchestrator.place_order", submitted, write=True, timeout=20
            )
            return str(started["saga_id"])
        except NoAnswer:
            if time.monotonic() > deadline:
                raise


@pytest.mark.timeout(600)
def test_two_of_everything_on_one_postgresql_keeps_every_invariant(
    scaled: tuple[Platform, TaskClient], capsys: pytest.CaptureFixture[str]
) -> None:
    platform, tasks = scaled
    api = SagaPlatform(tasks)
    plenty, none_left = new_sku(), new_sku()
    tasks.call("inventory.set_stock", {"sku": plenty, "quantity": 1000}, write=True)
    tasks.call("inventory.set_stock", {"sku": none_left, "quantity": 0}, write=True)
    paths = {}
    for i in range(ORDERS):
        path = PATHS[i % len(PATHS)]
        token = {"card_declined": "tok_declined", "fraud_rejected": "tok_fraud"}.get(
            path, "tok_visa"
        )
        sku = none_left if path == "out_of_stock" else plenty
        submitted = order(sku=sku, quantity=1, unit_price_cents=PRICE, token=token)
        paths[submitted["order_id"]] = (path, submitted)

    stop, kills = threading.Event(), Counter[str]()
    killer = threading.Thread(target=kill_loop, args=(platform, stop, kills), daemon=True)
    killer.start()
    try:
        saga_ids = {}
        for order_id, (_path, submitted) in paths.items():  # paced: the kills fall among them
            saga_ids[order_id] = place(tasks, submitted, 120)
            time.sleep(PACE)
        wait_for(lambda: sum(kills.values()), lambda n: n >= KILLS, 120, 0.5)

        def ended() -> dict[str, str]:
            return {oid: api.get_saga(saga_id=sid).state for oid, sid in saga_ids.items()}

        wait_for(ended, lambda s: all(v in TERMINAL_STATUSES for v in s.values()), 240, 1.0)
    finally:
        stop.set()
        killer.join(timeout=10)
    for name, process in platform.processes.items():
        if process.poll() is not None:
            platform.start([name])
    platform.wait_until_ready(tasks.app.conf.broker_url, timeout=120)

    sold = 0
    for order_id, (path, _submitted) in paths.items():
        saga = api.get_saga(saga_id=saga_ids[order_id])
        expected = "completed" if path == "completed" else "compensated"
        assert saga.state == expected, (order_id, path, saga.state, saga.failure)
        if path != "completed":
            assert (saga.failure or {}).get("code") == path, (order_id, saga.failure)
        # a step's reply and its compensation's reply, each applied once: none twice
        applied = Counter(
            (h.step, h.message_type) for h in saga.history if h.kind == "reply_applied"
        )
        assert all(n == 1 for n in applied.values()), (order_id, applied)
        payments = tasks.call("payment.get_payments", {"order_id": order_id})
        charged = [p for p in payments["payments"] if p["status"] in ("charged", "refunded")]
        assert len(charged) <= 1, (order_id, payments)
        assert payments["net_charged_cents"] == (PRICE if path == "completed" else 0), payments
        shipments = tasks.call("shipping.get_shipments", {"order_id": order_id})
        assert len(shipments) == (1 if path == "completed" else 0), (order_id, shipments)
        sold += path == "completed"
    stock = tasks.call("inventory.get_stock", {"sku": plenty})
    assert stock["available"] == 1000 - sold, stock
    for service in api.services():
        assert api.dead_letters_of(service).parked == 0, service
    assert sum(kills.values()) >= KILLS, kills
    with capsys.disabled():  # the figures belong in the CI log
        print(
            f"\nscale-out: {len(paths)} orders, {len(platform.commands)} processes, "
            f"{sum(kills.values())} kills {dict(kills)}, {sold} completed, invariants held"
        )
