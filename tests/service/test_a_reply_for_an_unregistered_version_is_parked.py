"""A saga whose definition version this orchestrator does not register (a deploy that
dropped v1 too early) loses nothing: its reply is parked at once with the reason and the
fix, the saga is left as it was, and the reply is applied once a build that registers
v1 is deployed and the dead letter replayed. The sweeper logs such a saga and goes on
with the others; an operator's action on it answers a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, update
from structlog.testing import capture_logs

from messaging.outbox import PendingRow
from messaging.tables import metadata as platform_tables
from orchestrator import event_tables, sweeper
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import actions, reads
from orchestrator.saga_store import tables as saga_tables
from orchestrator.saga_store.tables import sagas
from tests.service.versioned_sagas import V1, V2, begin, orchestrator, reserved, row
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service

REASON = (
    "saga {saga_id} runs parcel@1, which this orchestrator does not register: deploy a build"
    " that registers it, then replay (saga definition parcel@1 is not registered here"
    " (registered: parcel@2))"
)


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        yield built


def test_the_reply_is_parked_with_the_version_and_the_fix_and_replays_after_the_deploy(
    engine: Engine,
) -> None:
    saga_id = begin(engine, Registry.of(V1), "ord-1")
    raw = reserved(engine, saga_id)
    too_new = orchestrator(engine, Registry.of(V2))  # v1 removed from DEFINITIONS too early

    task = too_new.deliver(raw)

    (letter,) = too_new.parked()
    assert letter.reason == REASON.format(saga_id=saga_id)
    assert letter.message_id == raw["message_id"]
    assert task.retried == []  # parked at once: no retry can help
    assert too_new.handled_ids() == [] and too_new.outbox_ids() == []
    assert row(engine, saga_id).current_step == "reserve_stock"  # nothing applied

    fixed = orchestrator(engine, Registry.of(V1, V2))  # the build that registers v1 again
    fixed.deliver(raw)  # what a replay of the dead letter delivers

    assert row(engine, saga_id).current_step == "charge_card"
    assert fixed.handled_ids() == [raw["message_id"]]


class Recorder:
    def __init__(self) -> None:
        self.published: list[PendingRow] = []

    def publish(self, row: PendingRow) -> None:
        self.published.append(row)


def test_the_sweeper_logs_the_saga_and_goes_on_with_the_others(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranded = begin(engine, Registry.of(V1), "ord-v1")
    healthy = begin(engine, Registry.of(V2), "ord-v2")
    with engine.begin() as conn:
        conn.execute(update(sagas).values(deadline=datetime.now(UTC) - timedelta(seconds=1)))
    recorder = Recorder()
    monkeypatch.setattr(sweeper, "app", SimpleNamespace(engine=engine, publisher=recorder))
    monkeypatch.setattr(sweeper, "definitions", lambda: Registry.of(V2))

    with capture_logs() as logged:  # whatever output an earlier test configured
        assert sweeper.sweep_once() == 1  # the healthy one; the loop did not stop
    resent: list[Any] = [r.body for r in recorder.published]
    assert [(b["saga_id"], b["type"]) for b in resent] == [(healthy, "ReserveInventory")]
    (skipped,) = [e for e in logged if e["event"] == "sweep_skipped_unregistered_version"]
    assert (skipped["saga_id"], skipped["log_level"]) == (stranded, "error")
    assert skipped["reason"].startswith(f"saga {stranded} runs parcel@1")


def test_an_operator_action_on_it_answers_a_clear_error(engine: Engine) -> None:
    saga_id = begin(engine, Registry.of(V1), "ord-1")

    with engine.begin() as conn, pytest.raises(actions.NotApplicable) as refused:
        actions.cancel(conn, Registry.of(V2), saga_id, "no longer wanted")

    assert str(refused.value).startswith(
        f"saga {saga_id} runs parcel@1, which this orchestrator does not register"
    )


def test_sagas_of_an_unregistered_version_never_take_the_place_of_the_others(
    engine: Engine,
) -> None:
    """More stranded sagas than one sweep takes, with the oldest deadlines: the sweep
    still takes the saga it can act on, and reports the stranded ones apart."""
    stranded = [begin(engine, Registry.of(V1), f"ord-old-{i}") for i in range(3)]
    healthy = begin(engine, Registry.of(V2), "ord-new")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for age, saga_id in enumerate([*reversed(stranded), healthy]):
            late = now - timedelta(seconds=60 - age)  # the stranded ones are older
            conn.execute(update(sagas).where(sagas.c.saga_id == saga_id).values(deadline=late))
    registered = [(V2.name, V2.version)]

    with engine.begin() as conn:
        assert reads.due(conn, now, registered, limit=2) == [healthy]
        reported = reads.stranded(conn, now, registered)
    assert sorted(r.saga_id for r in reported) == sorted(stranded)
    assert {(r.definition, r.definition_version) for r in reported} == {("parcel", 1)}
