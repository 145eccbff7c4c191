"""Retention deletes in short transactions of at most SAGA_RETENTION_BATCH rows (sagas,
for the saga tables), by key: 23 eligible rows at a batch of 5 are 5 transactions, no
DELETE removes more than 5 rows (a saga's history goes in its saga's batch); a run out of
its time budget stops between batches and the next run goes on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from messaging import retention
from orchestrator import retention as orchestrator_retention
from orchestrator.saga_store.tables import sagas
from tests.service.retention_stores import (
    HISTORY_PER_SAGA,
    OLD,
    add_outbox,
    add_saga,
    keys,
    settings,
)


class Counted:
    """Transactions committed and the rows of each DELETE, on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.commits = 0
        self.deletes: list[tuple[str, int]] = []
        event.listen(engine, "commit", self.on_commit)
        event.listen(engine, "after_cursor_execute", self.on_execute)

    def on_commit(self, _conn: Any) -> None:
        self.commits += 1

    def on_execute(self, _conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            table = statement.split()[2].strip('"')
            self.deletes.append((table, cursor.rowcount))


def test_outbox_rows_go_five_per_transaction(orchestrator_store: Engine) -> None:
    for _ in range(23):
        add_outbox(orchestrator_store, OLD, OLD)
    small = settings(SAGA_RETENTION_BATCH="5")
    counted = Counted(orchestrator_store)

    done = retention.run(orchestrator_store, retention.shared_targets(small)[:1], small)

    assert done.deleted == {"outbox": 23}
    assert [rows for _, rows in counted.deletes] == [5, 5, 5, 5, 3]
    assert counted.commits == 5


def test_sagas_go_five_per_transaction_with_their_history(orchestrator_store: Engine) -> None:
    for _ in range(12):
        add_saga(orchestrator_store, "completed", OLD, HISTORY_PER_SAGA)
    small = settings(SAGA_RETENTION_BATCH="5")
    counted = Counted(orchestrator_store)

    done = orchestrator_retention.run(orchestrator_store, small)

    assert done.deleted["sagas"] == 12
    assert [rows for table, rows in counted.deletes if table == "sagas"] == [5, 5, 2]
    history = [rows for table, rows in counted.deletes if table == "saga_history"]
    assert history == [5 * HISTORY_PER_SAGA, 5 * HISTORY_PER_SAGA, 2 * HISTORY_PER_SAGA]
    assert counted.commits == 3 + 1  # three saga batches, one (empty) event-log batch


def test_a_run_out_of_time_stops_between_batches(orchestrator_store: Engine) -> None:
    for _ in range(12):
        add_saga(orchestrator_store, "completed", OLD)
    small = settings(SAGA_RETENTION_BATCH="5")

    first = orchestrator_retention.run(orchestrator_store, small, until=0.0)  # already over

    assert first.cut_short and first.deleted["sagas"] == 0
    assert len(keys(orchestrator_store, sagas.c.saga_id)) == 12
    assert orchestrator_retention.run(orchestrator_store, small).deleted["sagas"] == 12
