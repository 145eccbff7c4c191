"""A store made before migrations (by create_schema: tables, no version table) is stamped
at the newest revision whose layout it has (today's create_all: the heads) and upgraded,
its rows intact; one of an older layout than the first revision is refused, with nothing
written. (A store of aa775bd: test_a_store_from_aa775bd_upgrades_in_place.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, inspect, select, text

from messaging import tables
from messaging.database import create_schema
from messaging.reactors import discover
from messaging.schema import StoreMismatch, StoreSchema, current, upgrade
from orchestrator import event_tables
from orchestrator.migrations import SCHEMA as ORCHESTRATOR
from participants.inventory import store as inventory_store
from participants.inventory.migrations import SCHEMA as INVENTORY
from reactors.email import store as email_store
from tests.service import aa775bd_tables as old
from tests.stores import throwaway_store

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_a_store_made_by_create_schema_is_stamped_and_keeps_its_rows(kind, tmp_path):
    with throwaway_store(kind, tmp_path, *INVENTORY.metadata) as engine:
        with engine.begin() as conn:
            conn.execute(
                insert(inventory_store.stock).values(sku="SKU-1", available=7, updated_at=_now())
            )
            conn.execute(
                insert(tables.inbox).values(
                    message_id="m-1", message_type="ReserveInventory", received_at=_now()
                )
            )
        done = upgrade(engine, INVENTORY)
        assert done.stamped == ("inventory_0003", "messaging_0002")
        assert done.before == done.after == ("inventory_0003", "messaging_0002")
        assert "adopted" in str(done)
        with engine.connect() as conn:
            assert current(conn) == ("inventory_0003", "messaging_0002")
            assert conn.execute(select(inventory_store.stock.c.available)).scalar_one() == 7
            assert conn.execute(select(tables.inbox.c.message_id)).scalar_one() == "m-1"
        again = upgrade(engine, INVENTORY)
        assert again.stamped == ()
        assert str(again) == "up to date at inventory_0003, messaging_0002"


def test_a_store_with_only_the_shared_tables_gets_the_services_own(kind, tmp_path):
    """As one whose service had created nothing of its own yet: the shared branch is
    stamped, the service's branch runs from its start."""
    with throwaway_store(kind, tmp_path, tables.metadata) as engine:
        done = upgrade(engine, INVENTORY)
        assert done.stamped == ("messaging_0002",)
        assert done.before == ("messaging_0002",)
        assert done.after == ("inventory_0003", "messaging_0002")
        assert "stock" in inspect(engine).get_table_names()


def test_an_orchestrator_store_from_before_deadlines_is_refused_untouched(kind, tmp_path):
    """The sagas table of before issue 4 (aa775bd's without attempt, deadline,
    cancel_reason, querying): upgrading it would claim columns it lacks, so nothing is
    written and the error names them and where the fix is; operations.md's ALTERs bring
    it to aa775bd's layout, which is then adopted at the first revision and upgraded."""
    added_later = ("attempt", "deadline", "cancel_reason", "querying")
    with throwaway_store(kind, tmp_path, old.shared, old.orchestrator) as engine:
        with engine.begin() as conn:  # operations.md's ALTERs, undone
            conn.execute(text("DROP INDEX ix_sagas_deadline"))
            for column in added_later:
                conn.execute(text(f"ALTER TABLE sagas DROP COLUMN {column}"))
        with pytest.raises(StoreMismatch) as refused:
            upgrade(engine, ORCHESTRATOR)
        for column in added_later:
            assert f"sagas.{column} missing" in str(refused.value)
        assert "docs/operations.md" in str(refused.value)
        with engine.connect() as conn:
            assert current(conn) == ()
            assert "alembic_version" not in inspect(conn).get_table_names()
            assert "order_id" in {c["name"] for c in inspect(conn).get_columns("sagas")}
        with engine.begin() as conn:  # operations.md's ALTERs make it adoptable
            for statement in _alters_before_deadlines(kind):
                conn.execute(text(statement))
        done = upgrade(engine, ORCHESTRATOR)
        assert done.stamped == ("messaging_0001", "orchestrator_0001")
        assert done.after == ("messaging_0002", "orchestrator_0004")


def _alters_before_deadlines(kind: str) -> list[str]:
    """The statements of operations.md's section for ``kind``, as an operator copies them."""
    section = (
        (DOCS / "operations.md")
        .read_text()
        .split("### An orchestrator database from before deadlines", 1)[1]
    )
    sql = section.split("```sql", 1)[1].split("```", 1)[0]
    ours = sql.split("-- SQLite")[1 if kind == "sqlite" else 0]
    lines = [line for line in ours.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def test_a_store_between_the_event_dispatcher_and_multi_saga_is_upgraded(kind, tmp_path):
    """The orchestrator's store of aa775bd plus the dispatcher's subscriptions and
    event_deliveries (made before sagas were keyed by business_key): adopted at the first
    revision, whose successor renames order_id and keeps the dispatcher's tables."""
    dispatcher = MetaData()
    for name in ("subscriptions", "event_deliveries"):
        event_tables.metadata.tables[name].to_metadata(dispatcher)
    with throwaway_store(kind, tmp_path, old.shared, old.orchestrator, dispatcher) as engine:
        done = upgrade(engine, ORCHESTRATOR)
        assert done.stamped == ("messaging_0001", "orchestrator_0001")
        assert done.after == ("messaging_0002", "orchestrator_0004")
        assert "business_key" in {c["name"] for c in inspect(engine).get_columns("sagas")}


def test_a_store_of_no_known_orchestrator_layout_is_refused(kind, tmp_path):
    """Today's sagas table without the dispatcher's tables never existed: neither
    revision's layout, so it is refused and nothing is written."""
    odd = MetaData()
    for metadata in ORCHESTRATOR.metadata:
        for name, table in metadata.tables.items():
            if name not in ("subscriptions", "event_deliveries"):
                table.to_metadata(odd)
    with throwaway_store(kind, tmp_path, tables.metadata, odd) as engine:
        with pytest.raises(StoreMismatch, match="not the layout of any orchestrator revision"):
            upgrade(engine, ORCHESTRATOR)
        assert "alembic_version" not in inspect(engine).get_table_names()


def test_a_reactor_store_from_before_the_dispatcher_gets_its_receipts(kind, tmp_path):
    schema = discover()["email"].schema()
    with throwaway_store(kind, tmp_path, tables.metadata, email_store.metadata) as engine:
        done = upgrade(engine, schema)
        assert done.stamped == ("messaging_0002", "reactor_email_0001")
        assert "messaging_reactor_0001" in done.after
        assert "delivery_watermark" in inspect(engine).get_table_names()


def test_an_unversioned_plugin_table_is_created_beside_the_migrated_ones(kind, tmp_path):
    plugin = MetaData()
    Table("audit_entries", plugin, Column("event_id", String(64), primary_key=True))
    schema = StoreSchema.of("reactor.audit", reactor=True, unversioned=(plugin,))
    with throwaway_store(kind, tmp_path) as engine:
        done = upgrade(engine, schema)
        assert done.after == ("messaging_0002", "messaging_reactor_0001")
        assert "audit_entries" in inspect(engine).get_table_names()


def test_create_schema_still_makes_what_the_first_revisions_make(kind, tmp_path):
    """The benchmarks' own tables and older tests still use create_schema: it is kept."""
    with throwaway_store(kind, tmp_path) as engine:
        create_schema(engine, *INVENTORY.metadata)
        assert upgrade(engine, INVENTORY).stamped == ("inventory_0003", "messaging_0002")


def _now() -> datetime:
    return datetime.now(UTC)
