"""The tables of main at commit aa775bd (issue 13: a store it made upgrades in place), copied
from that commit's modules (messaging/tables.py, orchestrator/store.py, participants/*/store.py,
reactors/*/store.py) so that a test builds such a store with the old DDL without running old
code. One MetaData per service's own tables, and the shared ones; frozen: never edit."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

# Autoincrementing BIGINT on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")

# messaging/tables.py
shared = MetaData()

shared_outbox = Table(
    "outbox",
    shared,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=False, index=True),
    Column("message_type", String(100), nullable=False),
    Column("task_name", String(200), nullable=False),
    Column("queue", String(200), nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index(
        "ix_outbox_unpublished",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

shared_inbox = Table(
    "inbox",
    shared,
    Column("message_id", String(64), primary_key=True),
    Column("message_type", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # The messages this one caused, re-sent as they were when it is delivered again.
    Column("response", JSON, nullable=True),
)

shared_dead_letters = Table(
    "dead_letters",
    shared,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("task_name", String(200), nullable=False),
    Column("message_id", String(64), nullable=True, index=True),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False, server_default="parked", index=True),
)

# orchestrator/store.py
orchestrator = MetaData()

orchestrator_sagas = Table(
    "sagas",
    orchestrator,
    Column("saga_id", String(64), primary_key=True),
    Column("definition", String(100), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("current_step", String(100), nullable=True),
    Column("steps", JSON, nullable=False),  # step name -> status
    Column("data", JSON, nullable=False),
    Column("awaiting", String(64), nullable=True),  # message id of the command in flight
    Column("failure", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempt", Integer, nullable=False, server_default="0"),
    # When the sweeper acts if nothing arrives: resend the command, retry, or give up.
    Column("deadline", DateTime(timezone=True), nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("querying", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("definition", "order_id", name="uq_sagas_definition_order"),
    Index("ix_sagas_order_id", "order_id"),
    Index("ix_sagas_deadline", "deadline", postgresql_where=text("deadline IS NOT NULL")),
)

orchestrator_saga_history = Table(
    "saga_history",
    orchestrator,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("saga_id", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("step", String(100), nullable=True),
    Column("message_id", String(64), nullable=True),
    Column("message_type", String(100), nullable=True),
    Column("detail", JSON, nullable=False),
)

orchestrator_event_log = Table(
    "event_log",
    orchestrator,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False, index=True),
    Column("saga_id", String(64), nullable=False, index=True),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

# participants/inventory/store.py
inventory = MetaData()

inventory_stock = Table(
    "stock",
    inventory,
    Column("sku", String(64), primary_key=True),
    Column("available", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

inventory_reservations = Table(
    "reservations",
    inventory,
    Column("reservation_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # reserved | released
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
)

inventory_reservation_lines = Table(
    "reservation_lines",
    inventory,
    Column("reservation_id", ForeignKey("reservations.reservation_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

# participants/payment/store.py
payment = MetaData()

payment_payments = Table(
    "payments",
    payment,
    Column("payment_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # unknown | charged | declined | refunded
    Column("amount_cents", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False),
    Column("authorization", String(64), nullable=False),
    Column("refund_reference", String(64), nullable=True),
    Column("charged_at", DateTime(timezone=True), nullable=False),
    Column("refunded_at", DateTime(timezone=True), nullable=True),
)

# participants/shipping/store.py
shipping = MetaData()

shipping_shipments = Table(
    "shipments",
    shipping,
    Column("shipment_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("address", JSON, nullable=False),
    Column("items", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# reactors/email/store.py
email = MetaData()

email_sent_emails = Table(
    "sent_emails",
    email,
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

# reactors/analytics/store.py
analytics = MetaData()

analytics_order_facts = Table(
    "order_facts",
    analytics,
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),  # confirmed | cancelled
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("units", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("order_id", "outcome", name="uq_order_facts_order_outcome"),
)

analytics_daily_sales = Table(
    "daily_sales",
    analytics,
    Column("day", Date, primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("revenue_cents", BigInteger, nullable=False),
    Column("cancelled", Integer, nullable=False),
)

# reactors/crm/store.py
crm = MetaData()

crm_customers = Table(
    "customers",
    crm,
    Column("customer_id", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("orders", Integer, nullable=False),
    Column("lifetime_value_cents", BigInteger, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

crm_history = Table(
    "customer_history",
    crm,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("event", String(40), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("note", String(500), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
