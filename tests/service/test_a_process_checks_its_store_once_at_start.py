"""A process checks its store once, at its start: a worker at ``worker_init`` (its pool
processes, the solo pool's or prefork's children, check nothing again), a relay, the
sweeper and the metrics exporter each at their own start. Building the engine only builds
it. With SAGA_MIGRATE=check, each of those entry points refuses a store that is behind,
naming the command to run, and writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.app import setup_default_app
from celery.signals import worker_init, worker_process_init
from sqlalchemy import Engine, inspect, text

from messaging import relay, service_app
from messaging.outbox import relay_pending
from messaging.schema import StoreSchema, prepare
from messaging.service_app import ServiceApp
from orchestrator import metrics, sweeper
from orchestrator import worker as orchestrator_worker
from orchestrator.migrations import SCHEMA as ORCHESTRATOR
from participants.inventory import store as inventory_store
from participants.inventory.migrations import SCHEMA as INVENTORY
from tests.stores import throwaway_store


class Worker:
    """What a ServiceApp's ``worker_init`` receiver reads of Celery's WorkController."""

    def __init__(self, app: ServiceApp, pool_cls: str) -> None:
        self.app, self.pool_cls, self.hostname = app, pool_cls, f"{app.service}@test"


@pytest.fixture
def empty_store(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A store with no table, the database of inventory and of the orchestrator; brokers
    in memory: nothing here reaches a shared Redis."""
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    with throwaway_store(kind, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("INVENTORY_DATABASE_URL", url)
        monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", url)
        yield engine


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service of every store check (``prepare``, migrate or check) from now on."""
    seen: list[str] = []

    def counted(engine: Engine, schema: StoreSchema, mode: str) -> None:
        seen.append(schema.service)
        prepare(engine, schema, mode)

    monkeypatch.setattr(service_app, "prepare", counted)
    return seen


def test_building_the_engine_does_not_touch_the_store(empty_store, monkeypatch, checks):
    monkeypatch.setenv("SAGA_MIGRATE", "check")  # the store is behind: a check would refuse
    app = ServiceApp("inventory", INVENTORY)
    try:
        with app.engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        app.engine.dispose()
        app.close()
    assert checks == []
    assert inspect(empty_store).get_table_names() == []


@pytest.mark.parametrize(("pool", "processes"), [("solo", 1), ("prefork", 2)])
def test_a_worker_start_checks_the_store_once(empty_store, monkeypatch, checks, pool, processes):
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    app = ServiceApp("inventory", INVENTORY)
    with setup_default_app(app):
        app.set_current()  # as the worker does before its pool starts (celery/apps/worker.py)
        worker_init.send(sender=Worker(app, pool))
        for _ in range(processes):  # each pool process, as Celery signals it: by hostname
            worker_process_init.send(sender="inventory@test")
            with app.engine.begin() as conn:  # the tables are there: the start's one check
                inventory_store.set_level(conn, "MUG", 3)
            app.engine.dispose()
    assert checks == ["inventory"]


def test_another_apps_worker_start_checks_nothing_here(empty_store, monkeypatch, checks):
    monkeypatch.setenv("SAGA_MIGRATE", "check")  # this app's store is behind: it would refuse
    app = ServiceApp("inventory", INVENTORY)
    other = ServiceApp("inventory", INVENTORY)
    try:
        app._on_worker_start(sender=Worker(other, "solo"))
        with setup_default_app(other):
            other.set_current()
            app._on_process_init(sender="other@test")
    finally:
        app.close()
        other.close()
    assert checks == []


def test_a_relay_checks_its_store_once_and_then_relays(empty_store, monkeypatch, checks):
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    app = ServiceApp("inventory", INVENTORY)
    passes: list[int] = []

    def one_pass(*args: Any, **kwargs: Any) -> int:
        passes.append(relay_pending(*args, **kwargs))
        stop.set()
        return passes[-1]

    stop = threading.Event()
    monkeypatch.setattr(relay, "relay_pending", one_pass)
    try:
        relay.run(app, stop)
    finally:
        app.engine.dispose()
        app.close()
    assert passes == [0]  # it read the outbox: the start's check made it
    assert checks == ["inventory"]


def _relay(monkeypatch: pytest.MonkeyPatch) -> None:
    app = ServiceApp("inventory", INVENTORY)
    stop = threading.Event()
    stop.set()
    try:
        relay.run(app, stop)
    finally:
        app.close()


def _orchestrator_app(monkeypatch: pytest.MonkeyPatch) -> ServiceApp:
    """The orchestrator's app on this test's store, where the sweeper and metrics find it."""
    app = ServiceApp("orchestrator", ORCHESTRATOR)
    monkeypatch.setattr(sweeper, "app", app)
    monkeypatch.setattr(orchestrator_worker, "app", app)
    return app


def _sweeper(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _orchestrator_app(monkeypatch)
    try:
        sweeper.main()
    finally:
        app.close()


def _metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _orchestrator_app(monkeypatch)
    try:
        metrics.main()
    finally:
        app.close()


@pytest.mark.parametrize(
    ("start", "service"),
    [(_relay, "inventory"), (_sweeper, "orchestrator"), (_metrics, "orchestrator")],
    ids=["saga-relay", "saga-sweeper", "saga-metrics"],
)
def test_an_entry_point_without_a_worker_refuses_a_store_behind(
    empty_store: Engine,
    monkeypatch: pytest.MonkeyPatch,
    checks: list[str],
    start: Callable[[pytest.MonkeyPatch], None],
    service: str,
) -> None:
    monkeypatch.setenv("SAGA_MIGRATE", "check")
    with pytest.raises(SystemExit, match=f"run `saga-migrate {service}`"):
        start(monkeypatch)
    assert checks == [service]
    assert inspect(empty_store).get_table_names() == []  # nothing written
