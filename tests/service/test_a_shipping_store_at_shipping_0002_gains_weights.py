"""A shipping store in use at ``shipping_0002`` (before carriers were chosen by weight),
with a shipment, upgrades in place to ``shipping_0003``: the row is kept with its carrier,
its weight unknown (None); today's code reads it (``shipping.get_shipments``, the order
trail) and writes new shipments with their weight; the schema is then the code's. On
SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, table

from messaging.schema import Branch, StoreSchema, current, upgrade
from participants.shipping import store as shipping_store
from participants.shipping.migrations import SCHEMA
from tests.stores import throwaway_store

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
# the shipments table as shipping_0002 left it: no weight_grams
OLD_SHIPMENTS = table(
    "shipments",
    *(column(c.name, c.type) for c in shipping_store.shipments.c if c.name != "weight_grams"),
)


def test_a_store_with_shipments_keeps_them_and_reads_them_with_no_weight(kind, tmp_path):
    versions = tmp_path / "versions"
    shutil.copytree(
        SCHEMA.branches[-1].versions,
        versions,
        ignore=shutil.ignore_patterns("shipping_0003.py", "__pycache__"),
    )
    at_0002 = StoreSchema.of("shipping", Branch("shipping", versions, (shipping_store.metadata,)))
    with throwaway_store(kind, tmp_path) as engine:
        assert upgrade(engine, at_0002).after == ("messaging_0002", "shipping_0002")
        with engine.begin() as conn:
            conn.execute(
                insert(OLD_SHIPMENTS).values(
                    shipment_id="shp-1",
                    order_id="order-1",
                    carrier="fake-post",
                    tracking_number="FP0123456789AB",
                    address={"city": "Paris", "country": "FR"},
                    items=[{"sku": "BOOK-42", "quantity": 2}],
                    created_at=AT,
                )
            )

        done = upgrade(engine, SCHEMA)

        assert (done.before, done.after) == (
            ("messaging_0002", "shipping_0002"),
            ("messaging_0002", "shipping_0003"),
        )
        with engine.begin() as conn:
            assert current(conn) == ("messaging_0002", "shipping_0003")
            (old,) = shipping_store.shipments_of(conn, "order-1")
            assert {k: old[k] for k in ("shipment_id", "carrier", "tracking_number")} == {
                "shipment_id": "shp-1",
                "carrier": "fake-post",
                "tracking_number": "FP0123456789AB",
            }
            assert old["items"] == [{"sku": "BOOK-42", "quantity": 2}]
            assert old["weight_grams"] is None
            (entry,) = shipping_store.order_trail(conn, "order-1")
            assert entry.detail == "with fake-post: FP0123456789AB to FR"

            shipping_store.add_shipment(
                conn,
                "shp-2",
                order_id="order-1",
                carrier="letter-post",
                tracking_number="FP00000000000B",
                address={"country": "FR"},
                items=[{"sku": "BOOK-42", "quantity": 2}],
                weight_grams=900,
            )
            assert [s["weight_grams"] for s in shipping_store.shipments_of(conn, "order-1")] == [
                None,
                900,
            ]
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, SCHEMA.metadata) == []  # type: ignore[arg-type]
        assert upgrade(engine, SCHEMA).before == done.after  # a second run changes nothing
