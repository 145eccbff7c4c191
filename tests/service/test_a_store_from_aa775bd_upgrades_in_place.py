"""Issue 13: a store created by main at commit aa775bd (its DDL, tests/service/aa775bd_tables.py)
upgrades in place with its data intact: adopted at each owner's first revision, upgraded to
the heads, every row kept with its values (a saga's order id now its business key), the
schema then today's exactly, and today's code reads it. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, insert, select

from messaging.migrate import schemas
from messaging.schema import StoreSchema, current, script_of, upgrade
from orchestrator.saga_store import reads
from participants.inventory import store as inventory_store
from participants.payment import store as payment_store
from participants.shipping import store as shipping_store
from reactors.email import store as email_store
from tests.service import aa775bd_tables as old
from tests.stores import throwaway_store

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RENAMED = {"sagas": {"order_id": "business_key"}}


@dataclass(frozen=True)
class OldStore:
    """A service's tables at aa775bd, the rows it held, and a read of today's code."""

    own: MetaData
    rows: Mapping[str, list[dict[str, Any]]]
    read: Callable[[Connection], None]


def _read_saga(conn: Connection) -> None:
    view = reads.find(conn, business_key="order-1", definition="checkout")
    assert view.saga_id == "saga-1" and view.business_key == "order-1"
    assert view.parent_key is None and view.input is None and view.in_flight == []
    assert view.state == "completed" and view.data["total_cents"] == 2500
    assert [entry.kind for entry in view.history] == ["started", "step_completed"]


def _read_inventory(conn: Connection) -> None:
    (reservation,) = inventory_store.reservations_of(conn, "order-1")
    assert reservation["reservation_id"] == "res-1"
    assert inventory_store.restocks_of(conn, "order-1") == []  # the new table, empty


def _read_payment(conn: Connection) -> None:
    payments = payment_store.payments_of(conn, "order-1")
    assert payments["net_charged_cents"] == 2500
    assert payment_store.refunds_of(conn, "order-1") == []


def _read_shipping(conn: Connection) -> None:
    (shipment,) = shipping_store.shipments_of(conn, "order-1")
    assert shipment["tracking_number"] == "TRK-1"
    assert shipping_store.return_labels_of(conn, "order-1") == []


def _read_email(conn: Connection) -> None:
    (sent,) = email_store.sent_for(conn, "order-1")
    assert sent["recipient"] == "ada@example.com"


def _nothing(_conn: Connection) -> None:
    pass


SHARED_ROWS: dict[str, list[dict[str, Any]]] = {
    "outbox": [
        {
            "id": 1,
            "message_id": "m-out-1",
            "message_type": "OrderConfirmed",
            "task_name": "reactors.email.handle",
            "queue": "reactor.email",
            "body": {"order_id": "order-1"},
            "created_at": AT,
            "published_at": None,
            "attempts": 2,
        }
    ],
    "inbox": [
        {"message_id": "m-in-1", "message_type": "Reply", "received_at": AT, "response": None}
    ],
    "dead_letters": [
        {
            "id": 1,
            "parked_at": AT,
            "task_name": "x.handle",
            "message_id": "m-dead-1",
            "reason": "unknown type",
            "body": "{}",
            "status": "parked",
        }
    ],
}

STORES: dict[str, OldStore] = {
    "orchestrator": OldStore(
        old.orchestrator,
        {
            "sagas": [
                {
                    "saga_id": "saga-1",
                    "definition": "checkout",
                    "order_id": "order-1",
                    "correlation_id": "corr-1",
                    "status": "completed",
                    "current_step": None,
                    "steps": {"reserve_inventory": "done", "charge_payment": "done"},
                    "data": {"order_id": "order-1", "total_cents": 2500},
                    "awaiting": None,
                    "failure": None,
                    "error": None,
                    "attempt": 1,
                    "deadline": None,
                    "cancel_reason": None,
                    "querying": False,
                    "version": 7,
                    "created_at": AT,
                    "updated_at": AT,
                }
            ],
            "saga_history": [
                {
                    "id": 1,
                    "saga_id": "saga-1",
                    "at": AT,
                    "version": 1,
                    "kind": "started",
                    "step": None,
                    "message_id": None,
                    "message_type": None,
                    "detail": {},
                },
                {
                    "id": 2,
                    "saga_id": "saga-1",
                    "at": AT,
                    "version": 2,
                    "kind": "step_completed",
                    "step": "reserve_inventory",
                    "message_id": "m-2",
                    "message_type": "InventoryReserved",
                    "detail": {"reservation_id": "res-1"},
                },
            ],
            "event_log": [
                {
                    "id": 1,
                    "event_id": "ev-1",
                    "event_type": "OrderConfirmed",
                    "saga_id": "saga-1",
                    "body": {"order_id": "order-1"},
                    "created_at": AT,
                }
            ],
        },
        _read_saga,
    ),
    "inventory": OldStore(
        old.inventory,
        {
            "stock": [{"sku": "SKU-1", "available": 7, "updated_at": AT}],
            "reservations": [
                {
                    "reservation_id": "res-1",
                    "order_id": "order-1",
                    "status": "reserved",
                    "created_at": AT,
                    "released_at": None,
                }
            ],
            "reservation_lines": [{"reservation_id": "res-1", "sku": "SKU-1", "quantity": 2}],
        },
        _read_inventory,
    ),
    "payment": OldStore(
        old.payment,
        {
            "payments": [
                {
                    "payment_id": "pay-1",
                    "order_id": "order-1",
                    "status": "charged",
                    "amount_cents": 2500,
                    "refunded_cents": 0,
                    "currency": "EUR",
                    "authorization": "auth-1",
                    "refund_reference": None,
                    "charged_at": AT,
                    "refunded_at": None,
                }
            ]
        },
        _read_payment,
    ),
    "shipping": OldStore(
        old.shipping,
        {
            "shipments": [
                {
                    "shipment_id": "shp-1",
                    "order_id": "order-1",
                    "carrier": "DHL",
                    "tracking_number": "TRK-1",
                    "address": {"city": "Berlin"},
                    "items": [{"sku": "SKU-1", "quantity": 2}],
                    "created_at": AT,
                }
            ]
        },
        _read_shipping,
    ),
    "reactor.email": OldStore(
        old.email,
        {
            "sent_emails": [
                {
                    "event_id": "ev-1",
                    "order_id": "order-1",
                    "kind": "confirmation",
                    "recipient": "ada@example.com",
                    "subject": "Your order",
                    "message_id": "<1@example.com>",
                    "sent_at": AT,
                }
            ]
        },
        _read_email,
    ),
    "reactor.analytics": OldStore(
        old.analytics,
        {
            "order_facts": [
                {
                    "event_id": "ev-1",
                    "order_id": "order-1",
                    "outcome": "confirmed",
                    "day": date(2026, 3, 1),
                    "currency": "EUR",
                    "total_cents": 2500,
                    "units": 2,
                    "occurred_at": AT,
                }
            ],
            "daily_sales": [
                {
                    "day": date(2026, 3, 1),
                    "currency": "EUR",
                    "orders": 1,
                    "revenue_cents": 2500,
                    "cancelled": 0,
                }
            ],
        },
        _nothing,
    ),
    "reactor.crm": OldStore(
        old.crm,
        {
            "customers": [
                {
                    "customer_id": "cust-1",
                    "email": "ada@example.com",
                    "name": "Ada",
                    "orders": 1,
                    "lifetime_value_cents": 2500,
                    "first_seen": AT,
                    "last_seen": AT,
                }
            ],
            "customer_history": [
                {
                    "event_id": "ev-1",
                    "customer_id": "cust-1",
                    "order_id": "order-1",
                    "event": "OrderConfirmed",
                    "total_cents": 2500,
                    "currency": "EUR",
                    "note": "",
                    "at": AT,
                }
            ],
        },
        _nothing,
    ),
}


@pytest.fixture(scope="module")
def every_schema() -> dict[str, StoreSchema]:
    return schemas()


@pytest.mark.parametrize("service", list(STORES))
def test_a_store_made_at_aa775bd_keeps_its_rows_and_reaches_todays_layout(
    kind, tmp_path, service, every_schema
):
    schema: StoreSchema = every_schema[service]
    made = STORES[service]
    rows = {**SHARED_ROWS, **made.rows}
    with throwaway_store(kind, tmp_path, old.shared, made.own) as engine:
        with engine.begin() as conn:
            for metadata in (old.shared, made.own):
                for table in metadata.sorted_tables:
                    if rows.get(table.name):
                        conn.execute(insert(table), rows[table.name])

        done = upgrade(engine, schema)

        script = script_of(schema)
        own = {b.label for b in schema.branches} - {"messaging", "messaging_reactor"}
        assert {f"{label}_0001" for label in own} | {"messaging_0001"} == set(done.stamped)
        assert set(done.after) == set(script.get_heads())
        with engine.connect() as conn:
            assert set(current(conn)) == set(script.get_heads())
            today = {name: t for m in schema.metadata for name, t in m.tables.items()}
            for name, expected in rows.items():
                renamed = RENAMED.get(name, {})
                table = today[name]
                got = [
                    dict(row._mapping)
                    for row in conn.execute(select(table).order_by(*table.primary_key))
                ]
                want = [{renamed.get(k, k): v for k, v in row.items()} for row in expected]
                assert len(got) == len(want), name
                kept = [{k: row[k] for k in w} for row, w in zip(got, want, strict=True)]
                assert kept == [_comparable(kind, w) for w in want], name
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, schema.metadata)  # type: ignore[arg-type]
            assert differences == []
            made.read(conn)
        assert upgrade(engine, schema).before == done.after  # a second run changes nothing


def _comparable(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """SQLite keeps no time zone: a timestamp reads back naive."""
    if kind != "sqlite":
        return dict(row)
    return {k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in row.items()}
