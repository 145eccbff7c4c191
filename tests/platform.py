"""A real platform for the integration tests: the Procfile's workers and relays as
separate processes, on a Redis database of their own, with SQLite files or PostgreSQL
databases of their own."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis
from celery import Celery
from sqlalchemy import Engine

from messaging.database import build_engine
from messaging.launcher import Platform, platform_env, read_procfile

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("orchestrator", "inventory", "payment", "shipping")
TERMINAL = frozenset({"completed", "compensated", "failed"})


def require_redis(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"the tests need Redis at {url}: {exc}") from None


@contextmanager
def postgres_databases(admin_url: str, prefix: str) -> Iterator[dict[str, str]]:
    """One fresh PostgreSQL database per service, dropped afterwards."""
    names = {service: f"{prefix}_{service}" for service in SERVICES}
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield {service: f"{base}/{name}" for service, name in names.items()}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_databases(directory: Path) -> dict[str, str]:
    return {service: f"sqlite:///{directory / f'{service}.db'}" for service in SERVICES}


@dataclass
class RunningPlatform:
    """What a test sees: the client side of a running platform plus each service's store."""

    store: str
    broker_url: str
    database_urls: dict[str, str]
    processes: Platform
    client: Celery
    engines: dict[str, Engine]

    def call(self, task: str, timeout: float = 20.0, **kwargs: Any) -> Any:
        queue = task.split(".", 1)[0]
        return self.client.send_task(task, kwargs=kwargs, queue=queue).get(timeout=timeout)

    def send(self, task: str, **kwargs: Any) -> None:
        """Fire and forget, as a relay does."""
        self.client.send_task(task, kwargs=kwargs, queue=task.split(".", 1)[0])

    def saga(self, saga_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("orchestrator.get_saga", saga_id=saga_id)
        return result

    def wait_for_saga(self, saga_id: str, timeout: float = 30.0) -> dict[str, Any]:
        return wait_for(lambda: self.saga(saga_id), lambda s: s["state"] in TERMINAL, timeout)

    def set_stock(self, sku: str, quantity: int) -> None:
        self.call("inventory.set_stock", sku=sku, quantity=quantity)

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
) -> dict[str, Any]:
    return {
        "order_id": order_id or f"ord-{uuid.uuid4().hex[:12]}",
        "customer": {"id": "cust-1", "email": "ada@example.com", "name": "Ada Lovelace"},
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
    store: str, database_urls: dict[str, str], broker_url: str, log_dir: Path
) -> RunningPlatform:
    overrides = {f"{s.upper()}_DATABASE_URL": url for s, url in database_urls.items()}
    overrides.update(
        SAGA_BROKER_URL=broker_url,
        SAGA_LOG_FORMAT="json",
        SAGA_RELAY_GRACE="1.0",
        SAGA_RELAY_INTERVAL="0.2",
    )
    processes = Platform(read_procfile(ROOT / "Procfile"), platform_env(overrides), log_dir)
    processes.start()
    client = Celery(broker=broker_url, backend=broker_url, set_as_current=False)
    client.conf.update(accept_content=["json"], result_accept_content=["json"])
    try:
        processes.wait_until_ready(broker_url, timeout=90)
    except BaseException:
        processes.stop()
        raise
    engines = {service: build_engine(url) for service, url in database_urls.items()}
    return RunningPlatform(store, broker_url, database_urls, processes, client, engines)
