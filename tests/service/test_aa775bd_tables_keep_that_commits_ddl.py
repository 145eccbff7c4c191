"""tests/service/aa775bd_tables.py builds the stores of commit aa775bd: its tables are those
of each owner's first revision (``<owner>_0001`` is that commit's layout), compared by
Alembic (types, server defaults, indexes, partial indexes, unique constraints) on SQLite
and PostgreSQL. Most of them are today's tables: a change to one of those shows here, and
its aa775bd copy then goes into that module."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from messaging.migrate import schemas
from messaging.schema import _config
from tests.service import aa775bd_tables as old
from tests.stores import throwaway_store

# service -> its first revision and its own tables at aa775bd
FIRST = {
    "orchestrator": ("orchestrator_0001", old.orchestrator),
    "inventory": ("inventory_0001", old.inventory),
    "payment": ("payment_0001", old.payment),
    "shipping": ("shipping_0001", old.shipping),
    "reactor.email": ("reactor_email_0001", old.email),
    "reactor.analytics": ("reactor_analytics_0001", old.analytics),
    "reactor.crm": ("reactor_crm_0001", old.crm),
}


@pytest.mark.parametrize("service", FIRST)
def test_the_copied_tables_are_the_first_revisions(kind, tmp_path, service):
    revision, own = FIRST[service]
    schema = schemas()[service]
    with throwaway_store(kind, tmp_path) as engine, engine.begin() as conn:
        for target in ("messaging_0001", revision):  # aa775bd had no delivery receipts
            command.upgrade(_config(conn, schema), target)
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        aa775bd: list[MetaData] = [old.shared, own]
        # typed for one MetaData; a list works as target_metadata does (autogenerate.api)
        differences = compare_metadata(context, aa775bd)  # type: ignore[arg-type]
    assert differences == []
