"""The chaos test's platform (tests/e2e/test_chaos.py): every process of the Procfile on a
Redis of its own (or a RabbitMQ virtual host of its own, results in that Redis), a killer
that sends -9 to them again and again, paced submitters, and the orders and stock they
use. Every wait has a deadline within the test's BUDGET."""

from __future__ import annotations

import contextlib
import queue
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import amqp.exceptions  # type: ignore[import-untyped]
import kombu.exceptions
import pytest
import redis
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from devtools.launcher import Platform, read_procfile
from devtools.redis_server import RedisServer
from devtools.smtp_sink import SmtpSink
from messaging.contracts.saga_status import TERMINAL_STATUSES
from messaging.service_app import is_amqp
from tests import broker_queues
from tests.platform import ROOT, order

VIEWERS = ("flower", "metrics", "web")  # they only read: killing them tests no saga
VICTIMS = tuple(name for name in read_procfile(ROOT / "Procfile") if name not in VIEWERS)
KILLS_EACH = 2
QUEUES = ("orchestrator", "inventory", "fraud", "payment", "shipping", "events")
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
    amqp.exceptions.RecoverableConnectionError,
)


class Stopped(Exception):
    """The test is ending: a helper thread leaves what it was doing."""


@dataclass
class Chaos:
    platform: Platform
    redis: RedisServer  # the broker, or (RabbitMQ) the result backend
    client: Celery
    sink: SmtpSink
    broker_url: str
    restart_broker: Callable[[], object]
    deadline: float = float("inf")  # the test's own: no wait goes past it
    kills: Counter[str] = field(default_factory=Counter)
    broker_restarts: int = 0
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
        """Messages waiting in each queue of our broker (a queue is a list on Redis)."""
        if is_amqp(self.broker_url):
            try:
                return {q: broker_queues.depth(self.broker_url, q) for q in QUEUES}
            except Exception as exc:  # a diagnostic: never the reason a test fails
                return f"unknown ({exc!r})"
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
