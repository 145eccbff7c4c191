"""A real platform for the integration tests: the Procfile's workers and relays as
separate processes, on a Redis database of their own, with SQLite files or PostgreSQL
databases of their own."""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kombu
import redis
from celery import Celery
from sqlalchemy import Engine, select

from devtools.launcher import Platform, platform_env, read_procfile
from devtools.smtp_sink import free_port
from messaging.contracts.saga_status import TERMINAL_STATUSES
from messaging.database import build_engine
from messaging.settings import env_prefix
from orchestrator.event_tables import event_log
from saga_client import RemoteError, SagaPlatform, TaskClient, build_app

ROOT = Path(__file__).resolve().parent.parent
SERVICES = (
    "orchestrator",
    "inventory",
    "payment",
    "shipping",
    "fraud",
    "reactor.email",
    "reactor.analytics",
    "reactor.crm",
    "reactor.audit",  # tests/plugins: a reactor from outside our packages
)
PLUGINS = ROOT / "tests" / "plugins"
FLOWER_AUTH = "ops:s3cret"
WEB_AUTH = ("ops", "w3b-s3cret")
# Test-only processes, next to the Procfile's.
TEST_PROCESSES = {"reactor-audit": "saga-reactor audit"}


def require_redis(url: str) -> None:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"the tests need Redis at {url}: {exc}") from None


def sqlite_databases(directory: Path) -> dict[str, str]:
    return {service: f"sqlite:///{directory / f'{service}.db'}" for service in SERVICES}


@dataclass
class RunningPlatform:
    """What a test sees: the client side of a running platform plus each service's store."""

    store: str
    broker_url: str
    database_urls: dict[str, str]
    processes: Platform
    client: Celery  # for what a raw client does: malformed sends, control pings
    engines: dict[str, Engine]

    @property
    def results_url(self) -> str:
        """Where results come back: the broker on Redis, a Redis database beside RabbitMQ."""
        return self.processes.env["SAGA_RESULT_BACKEND"]

    @property
    def tasks(self) -> TaskClient:
        return TaskClient(self.client, timeout=20.0)

    @property
    def api(self) -> SagaPlatform:
        """The typed task API, as sagactl and the web view read it."""
        return SagaPlatform(self.tasks)

    def call(self, task: str, timeout: float = 20.0, **kwargs: Any) -> Any:
        """A task's result through saga_client's TaskClient (never expired, like a write).
        A task's own error is raised as the builtin type Celery rebuilt, as a client
        without our code gets it, so that tests can say ``pytest.raises(ValueError)``."""
        try:
            return self.tasks.call(task, kwargs, write=True, timeout=timeout)
        except RemoteError as exc:
            raise exc.remote from None

    def send(self, task: str, **kwargs: Any) -> None:
        """Fire and forget, as a relay does."""
        self.tasks.send(task, kwargs, write=True)

    def saga(self, saga_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("orchestrator.get_saga", saga_id=saga_id)
        return result

    def wait_for_saga(self, saga_id: str, timeout: float = 30.0) -> dict[str, Any]:
        saga: dict[str, Any] = wait_for(
            lambda: self.saga(saga_id), lambda s: s["state"] in TERMINAL_STATUSES, timeout
        )
        return saga

    def set_stock(self, sku: str, quantity: int) -> None:
        self.call("inventory.set_stock", sku=sku, quantity=quantity)

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.processes.env['SAGA_METRICS_PORT']}/metrics"

    @property
    def flower_url(self) -> str:
        return f"http://127.0.0.1:{self.processes.env['FLOWER_PORT']}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.processes.env['SAGA_WEB_PORT']}"

    def restart(self, name: str) -> None:
        self.processes.start([name])
        self.processes.wait_until_ready(self.broker_url, timeout=60)

    def pool_children(self, name: str) -> list[int]:
        """The prefork pool processes of a worker (the ones that run tasks)."""
        parent = self.processes.processes[name].pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                children.append(int(stat.parent.name))
        return children

    def event_of(self, order_id: str, event_type: str) -> dict[str, Any]:
        """The domain event the orchestrator logged for an order, as its reactors get it."""
        query = select(event_log.c.body).where(event_log.c.event_type == event_type)
        with self.engines["orchestrator"].begin() as conn:
            bodies = conn.execute(query).scalars().all()
        matching = [body for body in bodies if body["payload"]["order_id"] == order_id]
        assert len(matching) == 1, matching
        event: dict[str, Any] = matching[0]
        return event

    def stock(self, sku: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("inventory.get_stock", sku=sku)
        return result


def wait_for(
    probe: Callable[[], Any], done: Callable[[Any], bool], timeout: float, interval: float = 0.1
) -> Any:
    """Poll until ``done(probe())``; never sleep a fixed time for an outcome."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(interval)


def order(
    *,
    sku: str,
    quantity: int = 2,
    unit_price_cents: int = 1250,
    token: str = "tok_visa",
    country: str = "FR",
    order_id: str | None = None,
    customer_id: str = "cust-1",
) -> dict[str, Any]:
    return {
        "order_id": order_id or f"ord-{uuid.uuid4().hex[:12]}",
        "customer": {"id": customer_id, "email": "ada@example.com", "name": "Ada Lovelace"},
        "items": [{"sku": sku, "quantity": quantity, "unit_price_cents": unit_price_cents}],
        "currency": "EUR",
        "payment_token": token,
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 St James's Square",
            "city": "London",
            "postal_code": "SW1Y 4JH",
            "country": country,
        },
    }


def new_sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:10]}"


def start(
    store: str,
    *,
    database_urls: dict[str, str],
    broker_url: str,
    log_dir: Path,
    extra_env: dict[str, str],
    result_backend: str | None = None,
) -> RunningPlatform:
    """Every process of the Procfile (and the tests' own), started and answering. Results
    go to ``result_backend`` (the broker if it is Redis)."""
    results = result_backend or broker_url
    overrides = {f"{env_prefix(s)}_DATABASE_URL": url for s, url in database_urls.items()}
    # each process brings its store up to date at start (one at a time: messaging/schema.py)
    overrides["SAGA_MIGRATE"] = "auto"
    overrides.update(
        PYTHONPATH=str(PLUGINS),
        SAGA_DATA_DIR=str(log_dir / "data"),
        AUDIT_FIXED_FLAG=str(log_dir / "audit-fixed"),
        AUDIT_SLOW_SECONDS="5",
        SAGA_POLICY_SCALE="0.1",  # step timeouts of 1 s instead of 10 s
        SAGA_REVIEW_THRESHOLD_CENTS="500000",  # orders of 5,000.00 or more wait for review
        FLOWER_PORT=str(free_port()),
        SAGA_METRICS_PORT=str(free_port()),
        FLOWER_BASIC_AUTH=FLOWER_AUTH,
        SAGA_WEB_PORT=str(free_port()),
        SAGA_WEB_BASIC_AUTH=":".join(WEB_AUTH),
        SAGA_BROKER_URL=broker_url,
        SAGA_RESULT_BACKEND=results,
        SAGA_LOG_FORMAT="json",
        SAGA_RELAY_GRACE="1.0",
        SAGA_RELAY_INTERVAL="0.2",
        SAGA_EVENTS_CHECK_INTERVAL="2",  # reactors are asked what they lack every 2 s
    )
    overrides.update(extra_env)  # a test's own settings win
    commands = {**read_procfile(ROOT / "Procfile"), **TEST_PROCESSES}
    processes = Platform(commands, platform_env(overrides), log_dir)
    processes.start()
    client = build_app(broker_url, results)
    try:
        processes.wait_until_ready(broker_url, timeout=90)
    except BaseException:
        processes.stop()
        raise
    engines = {service: build_engine(url) for service, url in database_urls.items()}
    return RunningPlatform(store, broker_url, database_urls, processes, client, engines)


def serve(running: RunningPlatform) -> Iterator[RunningPlatform]:
    """A fixture's body: the platform, stopped and let go of after the test."""
    try:
        yield running
    finally:
        running.processes.stop()
        running.client.close()
        for engine in running.engines.values():
            engine.dispose()


@contextlib.contextmanager
def rabbitmq_vhost(base_url: str) -> Iterator[str]:
    """A RabbitMQ virtual host of its own (``rabbitmqctl``, as root on this machine), its
    URL, deleted afterwards with every queue in it. A broker that does not answer fails the
    tests that need it, saying so: CI starts RabbitMQ when it is down (.ci/run)."""
    vhost = f"saga_t{uuid.uuid4().hex[:8]}"
    user = base_url.split("://", 1)[1].split(":", 1)[0] or "guest"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        url = f"{base_url.rstrip('/')}/{vhost}"
        with kombu.Connection(url, connect_timeout=5) as conn:  # type: ignore[attr-defined,no-untyped-call]
            conn.ensure_connection(max_retries=3)
        yield url
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> None:
    done = subprocess.run(
        ["rabbitmqctl", *args], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr or done.stdout}")
