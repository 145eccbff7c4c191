"""On a fresh store, every branch's revisions up to their heads make exactly the tables the
code declares: Alembic's own comparison (types, server defaults, indexes, partial indexes,
unique constraints) finds no difference, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from messaging.migrate import schemas
from messaging.schema import StoreSchema, behind, script_of, upgrade
from tests.stores import throwaway_store

CORE = (
    "orchestrator",
    "inventory",
    "payment",
    "shipping",
    "fraud",
    "reactor.email",
    "reactor.analytics",
    "reactor.crm",
)


@pytest.fixture(scope="module")
def every_schema() -> dict[str, StoreSchema]:
    return schemas()


@pytest.mark.parametrize("service", CORE)
def test_upgrade_to_heads_makes_the_declared_tables(kind, tmp_path, service, every_schema):
    schema = every_schema[service]
    with throwaway_store(kind, tmp_path) as engine:
        done = upgrade(engine, schema)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, schema.metadata)
            assert behind(conn, schema) == ()
    assert differences == []
    assert done.stamped == ()
    assert done.before == ()
    assert set(script_of(schema).get_heads()) == set(done.after)


def test_every_core_store_has_its_own_branch_beside_the_shared_one(every_schema):
    for service in CORE:
        labels = [b.label for b in every_schema[service].branches]
        shared = (
            ["messaging", "messaging_reactor"] if service.startswith("reactor.") else ["messaging"]
        )
        assert labels == [*shared, service.replace(".", "_")], service
        assert every_schema[service].unversioned == ()


@pytest.mark.parametrize("service", ["orchestrator", "inventory", "reactor.email"])
def test_the_indexes_are_those_create_all_makes_partial_ones_included(
    kind, tmp_path, service, every_schema
):
    """Alembic's comparison does not look at an index's WHERE: the database's own text of
    every index is compared with that of a store made by create_all."""
    schema = every_schema[service]
    with (
        throwaway_store(kind, tmp_path, *schema.metadata) as made,
        throwaway_store(kind, tmp_path) as migrated,
    ):
        upgrade(migrated, schema)
        expected = _indexes(made)
        assert _indexes(migrated) == expected
    assert any("WHERE" in definition for definition in expected.values())  # outbox's at least


def _indexes(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version'"
                )
            )
        else:
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
        return {name: " ".join(str(definition).split()) for name, definition in rows}
