"""A fraud worker whose ``FRAUD_SCORER`` names nothing usable, or whose
``FRAUD_REJECT_SCORE`` is not a score, stops at start naming the variable, before its
store is touched; a good setting starts. The app is built as participants/fraud/worker.py
builds it, on a broker in memory: nothing here reaches a shared Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from messaging.handlers import PerProcess
from messaging.service_app import ServiceApp
from participants.fraud import bootstrap
from participants.fraud.migrations import SCHEMA
from tests.stores import throwaway_store

pytestmark = pytest.mark.service


@pytest.fixture
def empty_store(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    monkeypatch.setenv("SAGA_MIGRATE", "auto")
    monkeypatch.delenv("FRAUD_SCORER", raising=False)
    monkeypatch.delenv("FRAUD_REJECT_SCORE", raising=False)
    with throwaway_store(kind, tmp_path) as engine:
        monkeypatch.setenv("FRAUD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        yield engine


def start_checks() -> None:
    """The fraud worker's start: its app with the registry built once as a start check."""
    app = ServiceApp("fraud", SCHEMA, at_start=(PerProcess(bootstrap.registry).built,))
    try:
        app._run_start_checks()
    finally:
        app.close()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("FRAUD_SCORER", "riskcorp", "FRAUD_SCORER='riskcorp': expected fake or module:factory"),
        (
            "FRAUD_SCORER",
            "riskcorp.client:build",
            "FRAUD_SCORER='riskcorp.client:build': cannot import riskcorp.client",
        ),
        ("FRAUD_REJECT_SCORE", "120", "FRAUD_REJECT_SCORE='120': expected 1 to 100"),
    ],
)
def test_a_bad_setting_stops_it_naming_the_variable(
    empty_store, monkeypatch, variable, value, says
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as stopped:
        start_checks()

    assert str(stopped.value).startswith(f"fraud cannot start: {says}")
    assert inspect(empty_store).get_table_names() == []  # refused before the store check


def test_with_the_fake_scorer_it_starts_on_a_store_brought_up_to_date(empty_store, monkeypatch):
    monkeypatch.setenv("FRAUD_SCORER", "fake")

    start_checks()

    assert {"screenings", "inbox", "outbox", "dead_letters"} <= set(
        inspect(empty_store).get_table_names()
    )
