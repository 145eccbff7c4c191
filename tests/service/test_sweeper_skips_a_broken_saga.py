"""The sweeper acts on due sagas one by one on a real store: a saga that fails every time
(here: its definition is no longer deployed) is skipped and not counted, so the sweeper's
loop sleeps instead of spinning on it, and the other due sagas still advance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, update

from messaging.outbox import PendingRow
from messaging.tables import metadata as platform_tables
from orchestrator import event_tables, sweeper
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import actions
from orchestrator.saga_store import tables as saga_tables
from orchestrator.saga_store.tables import sagas as saga_table
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.platform import order
from tests.stores import throwaway_store


class Recorder:
    def __init__(self) -> None:
        self.published: list[PendingRow] = []

    def publish(self, row: PendingRow) -> None:
        self.published.append(row)


@pytest.fixture
def engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(
        kind, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        yield built


def due_saga(engine: Engine, definition: str) -> str:
    submitted = order(sku="MUG")
    with engine.begin() as conn:
        started = actions.begin(conn, CHECKOUT, submitted["order_id"], {"order": submitted}, "c")
        conn.execute(
            update(saga_table)
            .where(saga_table.c.saga_id == started.saga_id)
            .values(definition=definition, deadline=datetime.now(UTC) - timedelta(seconds=1))
        )
    return started.saga_id


def test_a_saga_that_always_fails_is_not_counted_and_the_others_advance(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(sweeper, "app", SimpleNamespace(engine=engine, publisher=recorder))
    monkeypatch.setattr(sweeper, "definitions", lambda: Registry.of(CHECKOUT))
    due_saga(engine, "retired")  # no definition of that name any more: fails every time
    healthy = due_saga(engine, CHECKOUT.name)

    assert sweeper.sweep_once() == 1  # the healthy one: its command sent again
    resent: list[Any] = [row.body for row in recorder.published]
    assert [(b["saga_id"], b["type"]) for b in resent] == [(healthy, "ReserveInventory")]
    assert sweeper.sweep_once() == 0  # only the broken one is due now: the loop sleeps
