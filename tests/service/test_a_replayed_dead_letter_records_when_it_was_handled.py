"""Replaying a dead letter records when (``handled_at``): retention keeps a replayed letter
SAGA_RETENTION_DEAD_LETTERS_DAYS from then, not from when it was parked; a parked letter
has none and is never deleted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from messaging import dead_letters, retention
from messaging.tables import dead_letters as table
from tests.service.retention_stores import settings


def test_replay_sets_handled_at_and_retention_counts_from_it(orchestrator_store: Engine) -> None:
    engine = orchestrator_store
    replayed = dead_letters.park(engine, task_name="t", body={"x": 1}, reason="bad")
    parked = dead_letters.park(engine, task_name="t", body={"x": 2}, reason="bad")
    before = datetime.now(UTC)

    dead_letters.mark_replayed(engine, replayed)

    with engine.connect() as conn:
        found = {
            row.id: row.handled_at for row in conn.execute(select(table.c.id, table.c.handled_at))
        }
    handled_at = found[replayed]
    assert handled_at is not None and handled_at.replace(tzinfo=UTC) >= before - timedelta(
        seconds=1
    )
    assert found[parked] is None
    # a day's setting: nothing is old enough yet; a zero-length one is "keep"
    kept = settings(SAGA_RETENTION_DEAD_LETTERS_DAYS="1")
    assert retention.run(engine, retention.shared_targets(kept), kept).deleted["dead_letters"] == 0
    soon = settings(SAGA_RETENTION_DEAD_LETTERS_DAYS="0.000001")  # about 0.09 s
    time.sleep(0.2)
    assert retention.run(engine, retention.shared_targets(soon), soon).deleted["dead_letters"] == 1
    with engine.connect() as conn:
        assert list(conn.execute(select(table.c.id)).scalars()) == [parked]
