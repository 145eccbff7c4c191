"""The processes that run retention: a service's relay deletes its store's old published
outbox rows in its loop, before it looks for leftovers to publish; the sweeper deletes
the orchestrator's old finished sagas, once per SAGA_RETENTION_INTERVAL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from messaging import relay
from messaging.outbox import relay_pending
from messaging.retention import Schedule
from messaging.service_app import ServiceApp
from messaging.tables import outbox
from orchestrator import sweeper
from orchestrator.migrations import SCHEMA as ORCHESTRATOR
from orchestrator.saga_store.tables import sagas
from participants.inventory.migrations import SCHEMA as INVENTORY
from tests.service.retention_stores import NEW, OLD, add_outbox, add_saga, keys
from tests.stores import throwaway_store


@pytest.fixture
def store(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty store for inventory or the orchestrator; brokers in memory."""
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    with throwaway_store(kind, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("INVENTORY_DATABASE_URL", url)
        monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", url)
        yield engine


def test_the_relay_deletes_old_published_rows_before_it_relays(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ServiceApp("inventory", INVENTORY)
    stop = threading.Event()

    def one_pass(*args: Any, **kwargs: Any) -> int:
        stop.set()
        return relay_pending(*args, **kwargs)

    monkeypatch.setattr(relay, "relay_pending", one_pass)
    try:
        app.check_store()
        old = add_outbox(store, OLD, OLD)
        new = add_outbox(store, NEW, NEW)
        relay.run(app, stop)
    finally:
        app.engine.dispose()
        app.close()
    assert keys(store, outbox.c.id) == {new}
    assert old != new


def test_the_sweeper_deletes_old_finished_sagas_once_an_interval(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ServiceApp("orchestrator", ORCHESTRATOR)
    monkeypatch.setattr(sweeper, "app", app)
    schedule = Schedule(app.retention.interval, time.monotonic)
    try:
        app.check_store()
        first = add_saga(store, "completed", OLD)
        running = add_saga(store, "running", OLD)
        sweeper.retain(schedule)
        later = add_saga(store, "compensated", OLD)
        sweeper.retain(schedule)  # not due again for 300 s
    finally:
        app.engine.dispose()
        app.close()
    assert keys(store, sagas.c.saga_id) == {running, later}
    assert first not in {running, later}
