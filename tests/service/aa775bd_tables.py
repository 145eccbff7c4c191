"""The tables of main at commit aa775bd (issue 13: a store it made upgrades in place), one
MetaData per service's own tables and one of the shared ones, so that a test builds such a
store with that commit's DDL without running its code.

Only a table whose DDL changed since aa775bd is copied here from that commit's module
(``git show aa775bd:orchestrator/store.py`` and the participants' ``store.py``): ``sagas``
(``order_id``, its key names), inventory's ``reservations`` and shipping's ``shipments``. The
others are today's definitions, copied into these MetaData (``Table.to_metadata``): the DDL
that ``create_all`` emits for them is aa775bd's on SQLite and PostgreSQL alike (compared
statement by statement with the copies when this module stopped copying them;
test_aa775bd_tables_keep_that_commits_ddl.py holds them to the first revisions). A table
added since stays out of here; a table whose DDL changes gets its aa775bd copy here first.
Never edit the copy."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
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

from messaging.tables import Id
from orchestrator import event_tables
from orchestrator.saga_store import tables as saga_tables
from participants.inventory import store as inventory_store
from participants.payment import store as payment_store
from reactors.analytics import store as analytics_store
from reactors.crm import store as crm_store
from reactors.email import store as email_store


def _unchanged(*tables: Table, into: MetaData | None = None) -> MetaData:
    """Today's ``tables``, unchanged since aa775bd, copied into ``into`` (or a new MetaData)."""
    metadata = MetaData() if into is None else into
    for table in tables:
        table.to_metadata(metadata)
    return metadata


# messaging/tables.py, copied from aa775bd: today's tables have ``dead_letters.handled_at``,
# ``ix_outbox_published_at`` and ``ix_inbox_received_at`` (messaging_0002)
shared = MetaData()
Table(
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
Table(
    "inbox",
    shared,
    Column("message_id", String(64), primary_key=True),
    Column("message_type", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("response", JSON, nullable=True),
)
Table(
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

# copied from aa775bd: today's table has business_key and other key names
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
_unchanged(saga_tables.saga_history, event_tables.event_log, into=orchestrator)  # unchanged

# participants/*/store.py and reactors/*/store.py: the tables they had then
inventory = MetaData()
# copied from aa775bd: today's table has ``missing`` (inventory_0003)
Table(
    "reservations",
    inventory,
    Column("reservation_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),  # reserved | released
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
)
_unchanged(inventory_store.stock, inventory_store.reservation_lines, into=inventory)
payment = _unchanged(payment_store.payments)
shipping = MetaData()
# copied from aa775bd: today's table has ``weight_grams`` (shipping_0003)
Table(
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
email = _unchanged(email_store.sent_emails)
analytics = _unchanged(analytics_store.order_facts, analytics_store.daily_sales)
crm = _unchanged(crm_store.customers, crm_store.history)
