"""Chaos: orders down every path through the public task API, while every process of the
Procfile but the viewers (flower, metrics, web) is killed with -9 again and again, and
the broker (Redis, then RabbitMQ) is restarted once. Then every invariant of a checkout
must hold. Separate processes only; the test reads each service's own store at the end.

The load is sized to the machine: a warm-up batch without kills measures the platform's
capacity, then the chaos phase offers about half of it, paced, for about 75 s (100 to 300
orders). Every wait has a deadline and every retry a budget, all within the test's own
(BUDGET): the test fails saying what it waited for and how far it got, never hangs; its
helper threads stop with it and none can keep the process alive.

The platform and its killer are in tests/e2e/chaos_platform.py, the invariants in
tests/e2e/chaos_invariants.py."""

from __future__ import annotations

import contextlib
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery

from devtools.launcher import Platform, platform_env, read_procfile
from devtools.redis_server import RedisServer
from devtools.smtp_sink import SmtpSink, free_port
from messaging.contracts.saga_status import TERMINAL_STATUSES
from tests.conftest import RABBITMQ_URL
from tests.e2e.chaos_invariants import check_invariants
from tests.e2e.chaos_platform import (
    BUDGET,
    KILLS_EACH,
    LOAD,
    MAX_ORDERS,
    MIN_ORDERS,
    SUBMIT_SECONDS,
    VICTIMS,
    WARMUP,
    Chaos,
    measure_capacity,
    orders,
    saga_states,
    stock_for,
)
from tests.platform import ROOT, order, rabbitmq_vhost


def restart_rabbitmq() -> None:
    """Stop and start the RabbitMQ application (every connection dropped; durable queues
    and persistent messages kept), as a broker restart does."""
    for action in ("stop_app", "start_app"):
        done = subprocess.run(
            ["rabbitmqctl", action], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"rabbitmqctl {action}: {done.stderr or done.stdout}"


@pytest.fixture(params=["redis", "rabbitmq"])
def chaos(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chaos]:
    redis_server = RedisServer(tmp_path / "redis", durable=True)
    redis_server.start()
    sink = SmtpSink()
    sink.start()
    with contextlib.ExitStack() as stack:
        if request.param == "rabbitmq":
            broker_url = stack.enter_context(rabbitmq_vhost(RABBITMQ_URL))
            restart: Callable[[], object] = restart_rabbitmq
        else:
            broker_url, restart = redis_server.url, redis_server.restart
        env = platform_env(
            {
                "SAGA_BROKER_URL": broker_url,
                "SAGA_RESULT_BACKEND": redis_server.url,
                "SAGA_DATA_DIR": str(tmp_path / "data"),
                "SAGA_LOG_FORMAT": "json",
                "SAGA_VISIBILITY_TIMEOUT": "10",
                "SAGA_UNACKED_RESTORE_INTERVAL": "1",
                "SAGA_RELAY_GRACE": "1.0",
                "SAGA_REVIEW_THRESHOLD_CENTS": "500000",
                "REACTOR_EMAIL_SMTP_PORT": str(sink.port),
                "FLOWER_PORT": str(free_port()),
                "SAGA_METRICS_PORT": str(free_port()),
                "SAGA_WEB_PORT": str(free_port()),  # not 8088: another run may hold it
                # lost copies (a killed reactor, the broker restart) asked for again within
                # seconds, so the final check of every reactor's effects does not wait long
                "SAGA_EVENTS_CHECK_INTERVAL": "2",
            }
        )
        platform = Platform(read_procfile(ROOT / "Procfile"), env, tmp_path)
        platform.start()
        client = Celery(broker=broker_url, backend=redis_server.url, set_as_current=False)
        client.conf.update(accept_content=["json"], result_accept_content=["json"])
        running = Chaos(platform, redis_server, client, sink, broker_url, restart)
        try:
            platform.wait_until_ready(broker_url, timeout=120)
            yield running
        finally:
            running.halt()
            platform.stop()
            client.close()
            sink.stop()
            redis_server.stop()


@pytest.mark.timeout(450)  # the backstop: ready in 120 s, BUDGET, then stopping everything
def test_every_invariant_holds_under_kills_and_a_broker_restart(
    chaos: Chaos, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chaos.deadline = time.monotonic() + BUDGET
    data = tmp_path / "data"
    rng = random.Random(20261122)
    warmup = [
        order(order_id=f"warmup-{i:04d}", sku=rng.choice(("CH-A", "CH-B"))) for i in range(WARMUP)
    ]
    # Stock first, sized for the most orders we may place; CH-LOW once we know how many.
    chaos.call("inventory.set_stock", sku="CH-A", quantity=100_000)
    chaos.call("inventory.set_stock", sku="CH-B", quantity=100_000)
    capacity = measure_capacity(chaos, data, warmup)
    rate = LOAD * capacity
    count = min(MAX_ORDERS, max(MIN_ORDERS, round(rate * SUBMIT_SECONDS / 10) * 10))
    stock = stock_for(count)
    chaos.call("inventory.set_stock", sku="CH-LOW", quantity=stock["CH-LOW"])
    chaos_orders = orders(rng, count)
    duplicates = chaos_orders[::15]
    submitted = warmup + chaos_orders
    # A place_order waits at worst for a killed orchestrator to restart, the visibility
    # timeout and the backlog a kill leaves in its queue (about 100 sagas' messages).
    order_seconds = min(180.0, max(90.0, 60 + 100 / capacity))
    chaos.sizing = f"capacity {capacity:.1f} sagas/s, offered {rate:.1f}/s, {count} orders"

    started = time.monotonic()
    chaos.spawn(chaos.kill_loop, rng)
    chaos.spawn(chaos.review_loop)
    half = len(chaos_orders) // 2
    first, second = chaos_orders[:half], chaos_orders[half:] + duplicates
    # each half: its pacing, one order's longest wait, and a minute for the restarts the
    # kills cause (each restarted process now also checks its store's migrations)
    chaos.submit_paced(first, rate, order_seconds, len(first) / rate + order_seconds + 60)
    chaos.restart_broker()
    chaos.broker_restarts += 1
    chaos.submit_paced(second, rate, order_seconds, len(second) / rate + order_seconds + 60)
    submitted_at = time.monotonic()

    def killed() -> tuple[bool, str]:
        short = {v: chaos.kills[v] for v in VICTIMS if chaos.kills[v] < KILLS_EACH}
        return not short, f"killed fewer than {KILLS_EACH} times: {short}"

    chaos.wait_for("every process killed in flight", killed, chaos.until(90))
    stuck = chaos.halt()
    assert not stuck, f"helper threads still running after the kills: {stuck}"
    for name, process in chaos.platform.processes.items():
        if process.poll() is not None:
            chaos.platform.start([name])
    chaos.spawn(chaos.review_loop)

    states: dict[str, str] = {}

    def drained() -> tuple[bool, str]:
        states.clear()
        states.update(saga_states(data))
        open_sagas = [o for o, s in states.items() if s not in TERMINAL_STATUSES]
        ended = len(states) - len(open_sagas)
        return len(states) == len(submitted) and not open_sagas, (
            f"{ended} of {len(submitted)} sagas terminal ({len(states)} recorded), "
            f"{dict(Counter(states.values()))}, open: {open_sagas[:10]}"
        )

    chaos.wait_for("every saga terminal after the chaos", drained, chaos.until(180))
    drained_in = time.monotonic() - submitted_at
    stuck = chaos.halt()
    assert not stuck, f"helper threads still running after the drain: {stuck}"

    assert min(chaos.kills[v] for v in VICTIMS) >= KILLS_EACH, f"kills: {chaos.kills}"
    violations = check_invariants(chaos, data, submitted, states, stock)
    counts = Counter(states.values())
    with capsys.disabled():  # the figures belong in the CI log
        print(
            f"\nchaos: {count} orders (+{len(duplicates)} duplicate submissions, +{WARMUP} "
            f"warm-up), capacity {capacity:.1f} sagas/s measured, offered {rate:.1f}/s, "
            f"outcomes {dict(counts)}, kills {sum(chaos.kills.values())} {dict(chaos.kills)}, "
            f"broker restarts {chaos.broker_restarts}, submitted in "
            f"{submitted_at - started:.1f}s, "
            f"drained in {drained_in:.1f}s, emails re-sent with the same Message-ID "
            f"{chaos.email_resends}, violations {len(violations)}"
        )
    assert violations == []
