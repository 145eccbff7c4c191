"""A process refuses a store whose schema is behind the code, naming the command to run
(SAGA_MIGRATE=check, the default when the database URL is given), or brings it up to
date itself (auto, the default on the embedded SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from messaging.schema import StoreBehind, current
from messaging.service_app import ServiceApp
from messaging.settings import Settings
from participants.inventory.migrations import SCHEMA as INVENTORY
from tests.stores import throwaway_store


@pytest.fixture
def empty_store(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    with throwaway_store(kind, tmp_path) as engine:
        monkeypatch.setenv(
            "INVENTORY_DATABASE_URL", engine.url.render_as_string(hide_password=False)
        )
        yield engine


def test_a_worker_stops_at_start_with_the_command_to_run(empty_store, monkeypatch):
    monkeypatch.setenv("SAGA_MIGRATE", "check")
    app = ServiceApp("inventory", INVENTORY)
    try:
        with pytest.raises(SystemExit, match="run `saga-migrate inventory`") as refused:
            app._run_start_checks()
        assert isinstance(refused.value.__cause__, StoreBehind)
        assert "missing inventory_0003, messaging_0002" in str(refused.value)
    finally:
        app.close()
    assert inspect(empty_store).get_table_names() == []  # nothing written


def test_with_auto_the_process_brings_its_store_up_to_date(empty_store, monkeypatch):
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    app = ServiceApp("inventory", INVENTORY)
    try:
        app._run_start_checks()
        with app.engine.connect() as conn:
            assert current(conn) == ("inventory_0003", "messaging_0002")
    finally:
        app.engine.dispose()
        app.close()


def test_an_up_to_date_store_passes_the_check(empty_store, monkeypatch):
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    ServiceApp("inventory", INVENTORY)._store_ready()
    monkeypatch.setenv("SAGA_MIGRATE", "check")
    app = ServiceApp("inventory", INVENTORY)
    try:
        app._run_start_checks()
    finally:
        app.close()


def test_the_mode_defaults_to_auto_on_the_embedded_store_and_check_on_a_given_url(monkeypatch):
    monkeypatch.delenv("SAGA_MIGRATE", raising=False)
    monkeypatch.delenv("PAYMENT_DATABASE_URL", raising=False)
    assert Settings.from_env("payment").migrate == "auto"
    monkeypatch.setenv("PAYMENT_DATABASE_URL", "postgresql://db/payment")
    assert Settings.from_env("payment").migrate == "check"
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    assert Settings.from_env("payment").migrate == "auto"
    monkeypatch.setenv("SAGA_MIGRATE", "sometimes")
    with pytest.raises(ValueError, match="SAGA_MIGRATE='sometimes'"):
        Settings.from_env("payment")
