"""A saga in a parallel group survives the orchestrator's row: its flights and completion
order are written and read back as they were (SQLite in the test's directory)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from messaging.database import build_engine, create_schema
from orchestrator import engine
from orchestrator.saga_store.rows import load_for_update, state_columns, state_of
from orchestrator.saga_store.tables import metadata, sagas
from tests.unit.party_saga import NOW, PARTY, SENT, applied, in_group, ok


def test_a_group_in_flight_survives_the_row_round_trip(tmp_path: Path, new_id):
    state = applied(in_group(new_id).state, ok("c"), SENT["c"], new_id).state
    store = build_engine(f"sqlite:///{tmp_path / 'orchestrator.db'}")
    create_schema(store, metadata)
    columns = state_columns(PARTY, state)
    assert columns["flights"] == [
        {"step": "b", "message_id": "cmd-2", "attempt": 1, "deadline": "2026-05-01T18:00:10+00:00"}
    ]
    assert columns["completed"] == ["a", "c"]
    assert columns["current_step"] == "b"
    assert columns["awaiting"] is None
    assert columns["deadline"] == NOW + timedelta(seconds=10)

    with store.begin() as conn:
        conn.execute(insert(sagas).values(**row_keys("s-1"), **columns))
        row = load_for_update(conn, "s-1")
    store.dispose()

    assert row is not None
    assert state_of(PARTY, row) == state


def test_a_row_without_flights_or_completed_reads_as_empty(tmp_path: Path, new_id):
    state = engine.start(PARTY, {}, new_id, NOW).state
    store = build_engine(f"sqlite:///{tmp_path / 'orchestrator.db'}")
    create_schema(store, metadata)
    columns = {**state_columns(PARTY, state), "flights": None, "completed": None}

    with store.begin() as conn:
        conn.execute(insert(sagas).values(**row_keys("s-1"), **columns))
        row = load_for_update(conn, "s-1")
    store.dispose()

    assert row is not None
    assert row.flights is None
    assert state_of(PARTY, row) == state


def row_keys(saga_id: str) -> dict[str, Any]:
    return {
        "saga_id": saga_id,
        "definition": "party",
        "business_key": "p-1",
        "correlation_id": "corr-1",
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
