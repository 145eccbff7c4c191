"""On PostgreSQL a retention batch takes its rows ``FOR UPDATE SKIP LOCKED``: a saga row
another transaction holds is skipped, not waited for (the run returns at once), and the
next run takes it once it is free."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from messaging.tables import metadata as platform_tables
from orchestrator import retention as orchestrator_retention
from orchestrator.event_tables import metadata as event_tables
from orchestrator.saga_store.tables import metadata as saga_tables
from orchestrator.saga_store.tables import sagas
from tests.service.retention_stores import OLD, add_saga, keys, settings
from tests.stores import throwaway_store


def test_a_locked_finished_saga_is_skipped_without_waiting(tmp_path: Path) -> None:
    tables = (platform_tables, saga_tables, event_tables)
    with throwaway_store("postgresql", tmp_path, *tables) as engine:
        held = add_saga(engine, "completed", OLD, 2)
        free = add_saga(engine, "completed", OLD, 2)
        with engine.connect() as other, other.begin():
            other.execute(select(sagas).where(sagas.c.saga_id == held).with_for_update())
            started = time.monotonic()

            done = orchestrator_retention.run(engine, settings())

            assert time.monotonic() - started < 5
            assert done.deleted["sagas"] == 1
            assert keys(engine, sagas.c.saga_id) == {held}
        assert orchestrator_retention.run(engine, settings()).deleted["sagas"] == 1
        assert free not in keys(engine, sagas.c.saga_id)
