"""Chaos: orders down every path through the public task API, while every process of the
Procfile but the viewers (flower, metrics, web) is killed with -9 again and again, and
Redis is restarted once. Then every invariant of a checkout must hold. Separate processes
only; the test reads each service's own store at the end.

The load is sized to the machine: a warm-up batch without kills measures the platform's
capacity, then the chaos phase offers about half of it, paced, for about 75 s (100 to 300
orders). Every wait has a deadline and every retry a budget, all within the test's own
(BUDGET): the test fails saying what it waited for and how far it got, never hangs; its
helper threads stop with it and none can keep the process alive."""

from __future__ import annotations

import contextlib
import queue
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kombu.exceptions
import pytest
import redis
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from devtools.launcher import Platform, platform_env, read_procfile
from devtools.smtp_sink import SmtpSink, free_port
from messaging.contracts.saga_status import TERMINAL_STATUSES
from tests.e2e.redis_server import RedisServer
from tests.platform import ROOT, order

VIEWERS = ("flower", "metrics", "web")  # they only read: killing them tests no saga
VICTIMS = tuple(name for name in read_procfile(ROOT / "Procfile") if name not in VIEWERS)
KILLS_EACH = 2
WARMUP = 24  # orders, all at once and without kills, to measure the capacity
LOAD = 0.5  # of the measured capacity, offered during the chaos phase
SUBMIT_SECONDS = 75  # the chaos phase's submissions should last about this long
MIN_ORDERS, MAX_ORDERS = 100, 300
SUBMITTERS = 8  # threads: a few may wait on a killed orchestrator, the others keep pace
BUDGET = 270.0  # seconds for the test once the platform is ready; every wait ends by then
# Failures a careful client retries: no answer in time, the broker being restarted.
TRANSIENT = (
    CeleryTimeout,
    ConnectionError,
    OSError,
    kombu.exceptions.OperationalError,
    redis.RedisError,
)


class Stopped(Exception):
    """The test is ending: a helper thread leaves what it was doing."""


@dataclass
class Chaos:
    platform: Platform
    redis: RedisServer
    client: Celery
    sink: SmtpSink
    deadline: float = float("inf")  # the test's own: no wait goes past it
    kills: Counter[str] = field(default_factory=Counter)
    redis_restarts: int = 0
    email_resends: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what a helper thread died of
    sizing: str = "load not sized yet"  # for failure messages

    def until(self, seconds: float) -> float:
        """A deadline ``seconds`` from now, never past the test's own."""
        return min(time.monotonic() + seconds, self.deadline)

    def spawn(self, target: Callable[..., None], *args: Any) -> None:
        """A daemon thread (it cannot keep the process alive) whose failure is recorded
        for the main thread to report."""

        def run() -> None:
            try:
                target(*args)
            except Stopped:
                pass
            except BaseException as exc:
                self.errors.append(f"{target.__name__}: {exc!r}")
            finally:
                self.close_backend()

        thread = threading.Thread(target=run, name=target.__name__, daemon=True)
        thread.start()
        self.threads.append(thread)

    def close_backend(self) -> None:
        """Close this thread's result backend (Celery makes one per thread). Left to the
        garbage collector, its sockets can be finalized still open: a ResourceWarning,
        which this suite turns into an error (it failed this test once)."""
        backend = self.client.backend
        backend.result_consumer.stop()
        backend.client.connection_pool.disconnect()

    def halt(self, timeout: float = 45.0) -> list[str]:
        """Stop every helper thread; the names of those still running after ``timeout``
        (each ends by itself within its current call's timeout)."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = [thread.name for thread in self.threads if thread.is_alive()]
        self.threads.clear()
        self.stop = threading.Event()
        return stuck

    def wait_for(
        self, what: str, progress: Callable[[], tuple[bool, str]], deadline: float
    ) -> None:
        """Poll ``progress`` (done?, how far) until done; fail saying how far it got if the
        deadline passes or a helper thread failed."""
        started = time.monotonic()
        while True:
            done, how_far = progress()
            if done:
                return
            if self.errors:
                failed = "; ".join(self.errors)
                pytest.fail(
                    f"{what}: a helper failed ({failed}); {how_far}; {self.sizing}; "
                    f"queued {self.backlog()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                waited = time.monotonic() - started
                pytest.fail(
                    f"{what}: not done after {waited:.0f}s; {how_far}; {self.sizing}; "
                    f"queued {self.backlog()}",
                    pytrace=False,
                )
            time.sleep(0.2)

    def backlog(self) -> dict[str, int] | str:
        """Messages waiting in each queue of our Redis (a queue is a list there)."""
        try:
            with redis.Redis.from_url(self.redis.url, socket_timeout=5) as client:
                lists = [k for k in client.scan_iter(count=1000) if client.type(k) == b"list"]
                return {key.decode(): client.llen(key) for key in sorted(lists)}
        except redis.RedisError as exc:
            return f"unknown ({exc!r})"

    def call(self, task: str, timeout: float = 20.0, **kwargs: Any) -> Any:
        queue = task.rsplit(".", 1)[0]
        result = self.client.send_task(task, kwargs=kwargs, queue=queue)
        deadline = time.monotonic() + timeout
        try:
            while True:  # in steps of a second, to leave soon once the test is ending
                try:
                    return result.get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
                except CeleryTimeout:
                    if self.stop.is_set() or time.monotonic() >= deadline:
                        raise
        except BaseException:
            # Celery keeps a result waited for in vain, subscribed, until its task ends;
            # left to the garbage collector after Redis stopped, each one retries for
            # many seconds to unsubscribe. Cancel it now, while the broker is up.
            with contextlib.suppress(Exception):
                result.backend.remove_pending_result(result)
            raise

    def submit(self, submitted: dict[str, Any], seconds: float) -> None:
        """What a careful client does: resubmit (same order id) until it gets an answer,
        for ``seconds`` at most, waiting longer each time (30 s, 60 s, ...): a copy sent
        into a queue that is only slow makes it slower."""
        deadline = time.monotonic() + seconds
        attempts, last = 0, "none"
        while (left := deadline - time.monotonic()) > 0:
            if self.stop.is_set():
                raise Stopped
            attempts += 1
            try:
                wait = min(30.0 * attempts, max(1.0, left))
                self.call("orchestrator.place_order", timeout=wait, **submitted)
                return
            except CeleryTimeout as exc:  # it waited already: ask again at once
                last = repr(exc)
                continue
            except TRANSIENT as exc:
                last = repr(exc)
            except RuntimeError as exc:  # the broker connection being re-established
                if "closed pool" not in str(exc):
                    raise
                last = repr(exc)
            self.stop.wait(0.5)  # the broker is away: do not spin
        raise TimeoutError(
            f"place_order {submitted['order_id']}: no answer in {seconds:.0f}s "
            f"({attempts} attempts, last error {last})"
        )

    def submit_paced(
        self, batch: list[dict[str, Any]], rate: float, order_seconds: float, seconds: float
    ) -> None:
        """Submit ``batch`` at ``rate`` orders/s (all at once if infinite) from
        SUBMITTERS threads; return when every order is answered, fail after ``seconds``."""
        started = time.monotonic()
        due: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        for i, placed in enumerate(batch):
            due.put((started + i / rate, placed))
        answered: list[str] = []

        def submitter() -> None:
            while not self.stop.is_set():
                try:
                    at, placed = due.get_nowait()
                except queue.Empty:
                    return
                if self.stop.wait(max(0.0, at - time.monotonic())):
                    return
                self.submit(placed, order_seconds)
                answered.append(placed["order_id"])

        for _ in range(SUBMITTERS):
            self.spawn(submitter)
        self.wait_for(
            f"place_order for {len(batch)} orders at {rate:.1f}/s",
            lambda: (len(answered) == len(batch), f"{len(answered)} answered"),
            self.until(seconds),
        )

    def kill_loop(self, rng: random.Random) -> None:
        """Kill -9 every process in turn (shuffled each round), restart it a moment later."""
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            for victim in rng.sample(VICTIMS, len(VICTIMS)):
                if self.stop.wait(rng.uniform(0.5, 1.5)):
                    return
                self.platform.kill(victim)
                self.kills[victim] += 1
                self.stop.wait(rng.uniform(0.2, 1.0))
                self.platform.start([victim])

    def review_loop(self) -> None:
        while not self.stop.wait(0.5) and time.monotonic() < self.deadline:
            try:
                waiting = self.call("orchestrator.list_sagas", state="awaiting_approval")
                for saga in waiting:
                    if saga["business_key"].endswith("-approve"):
                        self.call("orchestrator.approve_saga", saga_id=saga["saga_id"])
                    else:
                        self.call("orchestrator.reject_saga", saga_id=saga["saga_id"], reason="no")
            except Exception:  # an operator's loop: a failed call is tried on the next pass
                continue


def orders(rng: random.Random, count: int) -> list[dict[str, Any]]:
    made = []
    for i in range(count):
        path = i % 10
        kwargs: dict[str, Any] = {
            "sku": rng.choice(("CH-A", "CH-B")),
            "quantity": rng.randint(1, 3),
        }
        suffix = ""
        if path == 4:
            kwargs.update(sku="CH-LOW", quantity=3)  # some get stock, the rest do not
        elif path == 5:
            kwargs["token"] = rng.choice(("tok_declined", "tok_insufficient_funds"))
        elif path == 6:
            kwargs["country"] = "ZZ"
        elif path == 7:
            kwargs["token"] = "tok_timeout"
        elif path in (8, 9):
            kwargs.update(quantity=1, unit_price_cents=600_000)  # above the review threshold
            suffix = "-approve" if path == 8 else "-reject"
        made.append(order(order_id=f"chaos-{i:04d}{suffix}", **kwargs))
    return made


def stock_for(count: int) -> dict[str, int]:
    """Plenty of CH-A and CH-B; CH-LOW for about a third of the orders that want it."""
    return {"CH-A": 100_000, "CH-B": 100_000, "CH-LOW": 3 * (count // 30)}


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database, timeout=30) as conn:
        return conn.execute(query).fetchall()


def saga_states(data: Path) -> dict[str, str]:
    return dict(rows(data / "orchestrator.db", "SELECT business_key, status FROM sagas"))


def measure_capacity(chaos: Chaos, data: Path, warmup: list[dict[str, Any]]) -> float:
    """Sagas/s: ``warmup`` submitted at once, without kills, until all are terminal."""
    started = time.monotonic()
    chaos.submit_paced(warmup, float("inf"), order_seconds=60, seconds=60)
    ids = {placed["order_id"] for placed in warmup}

    def progress() -> tuple[bool, str]:
        ended = sum(1 for o, s in saga_states(data).items() if o in ids and s in TERMINAL_STATUSES)
        return ended == len(ids), f"{ended} of {len(ids)} terminal"

    chaos.wait_for("warm-up without kills", progress, chaos.until(90))
    return len(warmup) / (time.monotonic() - started)


@pytest.fixture
def chaos(tmp_path: Path) -> Iterator[Chaos]:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    sink = SmtpSink()
    sink.start()
    env = platform_env(
        {
            "SAGA_BROKER_URL": redis_server.url,
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
            # lost copies (a killed reactor, the Redis restart) asked for again within
            # seconds, so the final check of every reactor's effects does not wait long
            "SAGA_EVENTS_CHECK_INTERVAL": "2",
        }
    )
    platform = Platform(read_procfile(ROOT / "Procfile"), env, tmp_path)
    platform.start()
    client = Celery(broker=redis_server.url, backend=redis_server.url, set_as_current=False)
    client.conf.update(accept_content=["json"], result_accept_content=["json"])
    running = Chaos(platform, redis_server, client, sink)
    try:
        platform.wait_until_ready(redis_server.url, timeout=120)
        yield running
    finally:
        running.halt()
        platform.stop()
        client.close()
        sink.stop()
        redis_server.stop()


@pytest.mark.timeout(450)  # the backstop: ready in 120 s, BUDGET, then stopping everything
def test_every_invariant_holds_under_kills_and_a_redis_restart(
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
    chaos.submit_paced(first, rate, order_seconds, len(first) / rate + order_seconds + 30)
    chaos.redis.restart()
    chaos.redis_restarts += 1
    chaos.submit_paced(second, rate, order_seconds, len(second) / rate + order_seconds + 30)
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
            f"redis restarts {chaos.redis_restarts}, submitted in {submitted_at - started:.1f}s, "
            f"drained in {drained_in:.1f}s, emails re-sent with the same Message-ID "
            f"{chaos.email_resends}, violations {len(violations)}"
        )
    assert violations == []


def check_invariants(
    chaos: Chaos,
    data: Path,
    submitted: list[dict[str, Any]],
    states: dict[str, str],
    initial_stock: dict[str, int],
) -> list[str]:
    violations: list[str] = []
    by_id = {o["order_id"]: o for o in submitted}
    completed = {o for o, s in states.items() if s == "completed"}
    for order_id, error in rows(
        data / "orchestrator.db", "SELECT business_key, error FROM sagas WHERE status = 'failed'"
    ):
        if not error:
            violations.append(f"{order_id}: failed without a reason")
    for order_id in by_id:
        if order_id.endswith("-reject") and states.get(order_id) != "compensated":
            violations.append(f"{order_id}: rejected in review but {states.get(order_id)}")

    sold = Counter[str]()
    for order_id in completed:
        for item in by_id[order_id]["items"]:
            sold[item["sku"]] += item["quantity"]
    stock = dict(rows(data / "inventory.db", "SELECT sku, available FROM stock"))
    for sku, initial in initial_stock.items():
        if initial - sold[sku] != stock[sku]:
            violations.append(f"{sku}: {initial} - {sold[sku]} sold != {stock[sku]} available")
    held = rows(
        data / "inventory.db", "SELECT order_id FROM reservations WHERE status = 'reserved'"
    )
    for (order_id,) in held:
        if order_id not in completed:
            violations.append(f"{order_id}: reservation held by a {states.get(order_id)} saga")

    violations += check_payments(data, by_id, completed)
    violations += check_shipments(data, by_id, completed, states)
    violations += check_reactors(chaos, data, completed)
    return violations


def check_payments(data: Path, by_id: dict[str, Any], completed: set[str]) -> list[str]:
    """No order charged twice; net charge = total when completed, 0 otherwise."""
    charges = rows(
        data / "payment.db",
        "SELECT order_id, amount_cents - refunded_cents FROM payments "
        "WHERE status IN ('charged', 'refunded')",
    )
    count = Counter(order_id for order_id, _ in charges)
    net = Counter[str]()
    for order_id, amount in charges:
        net[order_id] += amount
    violations = [f"{o}: charged {n} times" for o, n in count.items() if n > 1]
    for order_id, placed in by_id.items():
        total = sum(i["quantity"] * i["unit_price_cents"] for i in placed["items"])
        expected = total if order_id in completed else 0
        if net[order_id] != expected:
            violations.append(f"{order_id}: net charge {net[order_id]}, expected {expected}")
    return violations


def check_shipments(
    data: Path, by_id: dict[str, Any], completed: set[str], states: dict[str, str]
) -> list[str]:
    shipments = Counter(o for (o,) in rows(data / "shipping.db", "SELECT order_id FROM shipments"))
    return [
        f"{order_id}: {shipments[order_id]} shipments, {states[order_id]}"
        for order_id in by_id
        if shipments[order_id] != (1 if order_id in completed else 0)
    ]


def check_reactors(chaos: Chaos, data: Path, completed: set[str]) -> list[str]:
    """Exactly one email, analytics fact and CRM entry per completed order (waiting a
    bounded time for the reactors to catch up)."""
    sink = chaos.sink
    deadline = max(time.monotonic() + 10, chaos.until(120))
    while True:
        confirmations = [
            m for o in completed for m in sink.messages_for(o) if "confirmed" in str(m["Subject"])
        ]
        # One email per order as the customer sees it: the same Message-ID twice is one
        # message to a mailbox that deduplicates by it. A reactor killed between the SMTP
        # server's "250 accepted" and its commit sends it again: reported, not hidden.
        emails = Counter(o for o, _ in {(m["X-Order-Id"], m["Message-ID"]) for m in confirmations})
        chaos.email_resends = len(confirmations) - sum(emails.values())
        facts = Counter(
            o
            for (o,) in rows(
                data / "reactor.analytics.db",
                "SELECT order_id FROM order_facts WHERE outcome = 'confirmed'",
            )
        )
        crm = Counter(
            o
            for (o,) in rows(
                data / "reactor.crm.db",
                "SELECT order_id FROM customer_history WHERE event = 'OrderConfirmed'",
            )
        )
        caught_up = all(min(c[o] for c in (emails, facts, crm)) >= 1 for o in completed)
        if caught_up or time.monotonic() > deadline:
            break
        time.sleep(1)
    violations = []
    for order_id in completed:
        for name, counter in (("emails", emails), ("analytics facts", facts), ("CRM entries", crm)):
            if counter[order_id] != 1:
                violations.append(f"{order_id}: {counter[order_id]} {name}")
    return violations
