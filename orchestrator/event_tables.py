"""The event dispatcher's tables: the event log every saga transition appends to, who
subscribes to those events, and which event each numbered copy carried.

A schema of its own (``metadata``): a process that writes sagas creates both this one and
``orchestrator.saga_store.tables.metadata`` (the same database)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, MetaData, String, Table

from messaging.tables import Id

metadata = MetaData()

event_log = Table(
    "event_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False, index=True),
    Column("saga_id", String(64), nullable=False, index=True),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

# A reactor's durable subscription: written when it announces itself (or found as an
# installed plug-in), read by the event dispatcher, never by the saga path.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("queue", String(200), nullable=False),
    Column("events", JSON, nullable=False),  # sorted event type names
    Column("owner", String(200), nullable=False),  # the reactor's top-level package
    Column("origin", String(20), nullable=False),  # "plugin" or "announced"
    Column("start", String(64), nullable=False),  # as asked: latest, earliest or a date
    Column("active", Boolean, nullable=False),
    # The last event_log id looked at, and the last copy number (seq) given out.
    Column("position", BigInteger, nullable=False),
    Column("head", BigInteger, nullable=False),
    # What the reactor last said it holds (every seq up to it), and when.
    Column("acknowledged", BigInteger, nullable=False, server_default="0"),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
    Column("checked_at", DateTime(timezone=True), nullable=True),  # last check sent
    # Work in hand, one page at a time: seq ranges to send again, a backfill cursor.
    Column("resend", JSON(none_as_null=True), nullable=True),
    Column("backfill_from", BigInteger, nullable=True),
    Column("backfill_to", BigInteger, nullable=True),
    Column("resent", BigInteger, nullable=False, server_default="0"),  # copies sent again
    Column("resent_at", DateTime(timezone=True), nullable=True),  # the last page of them
    Column("warnings", JSON(none_as_null=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Which event each numbered copy carried, so a lost number can be sent again.
event_deliveries = Table(
    "event_deliveries",
    metadata,
    Column("subscription", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_log_id", BigInteger, nullable=False),
)
