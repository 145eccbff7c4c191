"""A column added in code becomes a new revision (drafted by devtools.new_revision);
a store at the head, with rows, is upgraded to it on SQLite (batch mode) and
PostgreSQL alike, and then matches the code."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, insert, select

from devtools.new_revision import draft
from messaging import tables
from messaging.schema import Branch, StoreSchema, current, upgrade
from participants.payment import store as payment_store
from participants.payment.migrations import SCHEMA as PAYMENT
from tests.stores import throwaway_store


def test_a_drafted_revision_adds_the_column_to_a_store_with_rows(kind, tmp_path):
    versions = tmp_path / "versions"
    shutil.copytree(PAYMENT.branches[-1].versions, versions)
    with throwaway_store(kind, tmp_path) as engine:
        upgrade(engine, PAYMENT)  # the store as it is today, with a row
        with engine.begin() as conn:
            conn.execute(insert(payment_store.payments).values(**_payment()))

        newer = MetaData()
        for table in payment_store.metadata.sorted_tables:
            table.to_metadata(newer)
        payments = newer.tables["payments"]
        payments.append_column(Column("channel", String(20), nullable=True))
        schema = StoreSchema.of("payment", Branch("payment", versions, (newer,)))
        path = draft(schema, schema.branches[-1], "payments.channel")
        assert path is not None and path.name == "payment_0003.py"
        assert 'with op.batch_alter_table("payments"' in path.read_text().replace("'", '"')

        done = upgrade(engine, schema)
        assert done.before == ("messaging_0002", "payment_0002")
        assert done.after == ("messaging_0002", "payment_0003")
        with engine.connect() as conn:
            assert conn.execute(select(payments.c.payment_id, payments.c.channel)).one() == (
                "pay-1",
                None,
            )
            context = MigrationContext.configure(conn, opts={"compare_server_default": True})
            assert compare_metadata(context, schema.metadata) == []  # type: ignore[arg-type]
            assert current(conn) == ("messaging_0002", "payment_0003")
        assert draft(schema, schema.branches[-1], "again") is None
        assert "ADOPTS_COLUMNS: dict[str, tuple[str, ...]] = {'payments': ('channel',)}" in (
            path.read_text()
        )

    # a store made by the newer code's create_all: the added column marks the new revision
    with throwaway_store(kind, tmp_path, tables.metadata, newer) as made:
        assert upgrade(made, schema).stamped == ("messaging_0002", "payment_0003")


def _payment() -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "payment_id": "pay-1",
        "order_id": "order-1",
        "status": "charged",
        "amount_cents": 1250,
        "refunded_cents": 0,
        "currency": "EUR",
        "authorization": "auth-1",
        "charged_at": now,
    }
