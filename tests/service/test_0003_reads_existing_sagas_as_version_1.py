"""orchestrator_0003 on stores with sagas in them (SQLite and PostgreSQL): a running saga
written before definition versions reads as version 1 of its definition, and its next
reply is applied on v1's steps though v2 is the start version. Two ways in: a store of
aa775bd (0001 -> 0002 -> 0003), and one made by create_all at 0002's layout (adopted at
0002, then 0003)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, MetaData, insert

from messaging.codec import decode
from messaging.schema import upgrade
from messaging.tables import metadata as platform_tables
from orchestrator import event_tables
from orchestrator.migrations import SCHEMA as ORCHESTRATOR
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import tables as saga_tables
from tests.service import aa775bd_tables as old
from tests.service.versioned_sagas import V1, V2, orchestrator, reserved, row
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RUNNING = {
    "saga_id": "saga-1",
    "definition": "parcel",
    "correlation_id": "c",
    "status": "running",
    "current_step": "reserve_stock",
    "steps": {"reserve_stock": "running", "charge_card": "pending"},
    "data": {"order_id": "ord-1"},
    "awaiting": "cmd-1",
    "attempt": 1,
    "version": 1,
    "created_at": AT,
    "updated_at": AT,
}


def layout_of_0002() -> MetaData:
    """Today's orchestrator tables without ``sagas.definition_version``: create_all as it
    was between 0002 and 0003."""
    before = MetaData()
    for table in (*saga_tables.metadata.tables.values(), *event_tables.metadata.tables.values()):
        if table.name != "sagas":
            table.to_metadata(before)
    today = saga_tables.sagas
    sa.Table(
        "sagas",
        before,
        *[column._copy() for column in today.columns if column.name != "definition_version"],
        sa.UniqueConstraint("definition", "business_key", name="uq_sagas_definition_key"),
    )
    copy = before.tables["sagas"]
    have = {index.name for index in copy.indexes}
    for index in sorted(today.indexes, key=lambda i: str(i.name)):
        if index.name not in have:
            columns = [copy.c[column.name] for column in index.columns]
            sa.Index(index.name, *columns, unique=index.unique, **index.dialect_kwargs)
    return before


def continues_on_v1(engine: Engine) -> None:
    saga = row(engine, "saga-1")
    assert saga.definition_version == 1
    deployed = orchestrator(engine, Registry.of(V1, V2))
    deployed.deliver(reserved(engine, "saga-1"))
    assert deployed.parked() == []
    assert [decode(r.body).type for r in deployed.published] == ["ChargePayment"]
    assert row(engine, "saga-1").current_step == "charge_card"


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_of_aa775bd_with_a_running_saga(kind: str, tmp_path: Path) -> None:
    with throwaway_store(kind, tmp_path, old.shared, old.orchestrator) as engine:
        with engine.begin() as conn:
            conn.execute(
                insert(old.orchestrator.tables["sagas"]).values(order_id="ord-1", **RUNNING)
            )

        done = upgrade(engine, ORCHESTRATOR)

        assert done.after == ("messaging_0002", "orchestrator_0004")
        continues_on_v1(engine)


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_at_0002_with_a_running_saga(kind: str, tmp_path: Path) -> None:
    layout = layout_of_0002()
    with throwaway_store(kind, tmp_path, platform_tables, layout) as engine:
        with engine.begin() as conn:
            conn.execute(insert(layout.tables["sagas"]).values(business_key="ord-1", **RUNNING))

        done = upgrade(engine, ORCHESTRATOR)

        assert done.stamped == ("messaging_0002", "orchestrator_0002")
        assert done.after == ("messaging_0002", "orchestrator_0004")
        continues_on_v1(engine)
