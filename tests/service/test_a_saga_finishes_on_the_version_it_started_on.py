"""A saga started on v1 of its definition keeps running v1's steps after a deploy makes
v2 the start version (SQLite and PostgreSQL); new sagas start on v2, and a pin
(SAGA_START_VERSIONS) keeps them on v1 while v2 is rolled out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from messaging.codec import decode
from messaging.tables import metadata as platform_tables
from orchestrator import event_tables
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import actions
from orchestrator.saga_store import tables as saga_tables
from orchestrator.saga_store.tables import sagas
from tests.service.versioned_sagas import V1, V2, begin, orchestrator, reserved, row
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        yield built


def test_a_v1_saga_runs_v1_steps_after_v2_becomes_the_start_version(engine: Engine) -> None:
    before = Registry.of(V1)  # the build that started it
    old = begin(engine, before, "ord-old")
    after = Registry.of(V1, V2)  # the next deploy: v2 registered and started on
    new = begin(engine, after, "ord-new")
    deployed = orchestrator(engine, after)

    deployed.deliver(reserved(engine, old))
    deployed.deliver(reserved(engine, new))

    assert deployed.parked() == []
    sent = {decode(r.body).envelope.saga_id: decode(r.body).type for r in deployed.published}
    assert sent == {old: "ChargePayment", new: "CreateShipment"}
    old_row, new_row = row(engine, old), row(engine, new)
    assert (old_row.definition_version, new_row.definition_version) == (1, 2)
    assert list(old_row.steps) == ["reserve_stock", "charge_card"]
    assert (old_row.current_step, new_row.current_step) == ("charge_card", "ship_parcel")


def test_a_pin_keeps_new_sagas_on_the_old_version(engine: Engine) -> None:
    rolling_out = Registry.of(V1, V2, pins="parcel@1")

    saga_id = begin(engine, rolling_out, "ord-pinned")

    assert row(engine, saga_id).definition_version == 1
    assert rolling_out.at("parcel", 2) is V2  # registered: replies of v2 sagas are applied


def test_an_operators_retry_of_a_failed_v1_saga_resends_v1s_step(engine: Engine) -> None:
    """The charge of a v1 saga gets no answer until it is given up on (``failed``); the
    next deploy makes v2 the start version; the operator's retry sends v1's command."""
    old = begin(engine, Registry.of(V1), "ord-old")
    orchestrator(engine, Registry.of(V1)).deliver(reserved(engine, old))
    for _ in range(V1.steps[1].policy.max_attempts):  # every attempt's deadline passes
        with engine.begin() as conn:
            conn.execute(
                update(sagas)
                .where(sagas.c.saga_id == old)
                .values(deadline=datetime.now(UTC) - timedelta(seconds=1))
            )
            actions.apply_deadline(conn, Registry.of(V1), old)
    assert (row(engine, old).status, row(engine, old).current_step) == ("failed", "charge_card")

    with engine.begin() as conn:
        outgoing = actions.retry(conn, Registry.of(V1, V2), old)

    assert [m.envelope.type for m in outgoing] == ["ChargePayment"]
    assert row(engine, old).status == "running"
