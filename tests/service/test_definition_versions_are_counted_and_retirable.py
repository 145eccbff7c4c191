"""``orchestrator.list_definitions`` on a real store (SQLite and PostgreSQL): one summary
per registered version, with its running, waiting and finished sagas; an old version is
retirable once none of its sagas runs or waits for a person (a failed saga waits for an
operator's retry), and the start version never is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, update

from messaging.tables import metadata as platform_tables
from orchestrator import event_tables, worker
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import tables as saga_tables
from orchestrator.saga_store.tables import sagas
from tests.service.versioned_sagas import V1, V2, begin
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service


@pytest.fixture(params=KINDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        monkeypatch.setattr(worker, "app", SimpleNamespace(engine=built))
        monkeypatch.setattr(worker, "definitions", lambda: Registry.of(V1, V2))
        yield built


def set_status(engine: Engine, saga_id: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(sagas).where(sagas.c.saga_id == saga_id).values(status=status))


def figures() -> dict[str, tuple[Any, ...]]:
    return {
        f"{d['name']}@{d['version']}": (
            d["starts_new"],
            d["running"],
            d["waiting"],
            d["finished"],
            d["retirable"],
        )
        for d in worker.list_definitions()
    }


def test_each_version_is_counted_and_the_old_one_retires_when_nothing_runs_on_it(
    engine: Engine,
) -> None:
    v1 = Registry.of(V1)
    done, reviewed, failed = (begin(engine, v1, f"ord-{i}") for i in range(3))
    set_status(engine, done, "completed")
    set_status(engine, reviewed, "awaiting_approval")
    set_status(engine, failed, "failed")
    begin(engine, Registry.of(V1, V2), "ord-new")
    begin(engine, v1, "ord-running")

    #                    starts_new, running, waiting, finished, retirable
    assert figures() == {
        "parcel@1": (False, 1, 2, 1, False),
        "parcel@2": (True, 1, 0, 0, False),
    }

    set_status(engine, reviewed, "compensated")
    set_status(engine, failed, "compensated")
    assert figures()["parcel@1"] == (False, 1, 0, 3, False)  # one still running
    with engine.begin() as conn:
        conn.execute(
            update(sagas).where(sagas.c.definition_version == 1).values(status="completed")
        )
    assert figures() == {
        "parcel@1": (False, 0, 0, 4, True),
        "parcel@2": (True, 1, 0, 0, False),  # the start version: never retirable
    }
