"""The event dispatcher's tables: the event log every saga transition appends to, who
subscribes to those events, and which event each numbered copy carried.

A schema of its own (``metadata``): a process that writes sagas creates both this one and
``orchestrator.saga_store.tables.metadata`` (the same database)."""

from __future__ import annotations

import sqlalchemy as sa

from messaging.tables import Id

metadata = sa.MetaData()

event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(100), nullable=False, index=True),
    sa.Column("saga_id", sa.String(64), nullable=False, index=True),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# A reactor's durable subscription: written when it announces itself (or found as an
# installed plug-in), read by the event dispatcher, never by the saga path.
subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("queue", sa.String(200), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),  # sorted event type names
    sa.Column("owner", sa.String(200), nullable=False),  # the reactor's top-level package
    sa.Column("origin", sa.String(20), nullable=False),  # "plugin" or "announced"
    sa.Column("start", sa.String(64), nullable=False),  # as asked: latest, earliest or a date
    sa.Column("active", sa.Boolean, nullable=False),
    # The last event_log id looked at, and the last copy number (seq) given out.
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("head", sa.BigInteger, nullable=False),
    # What the reactor last said it holds (every seq up to it), and when.
    sa.Column("acknowledged", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),  # last check sent
    # Work in hand, one page at a time: seq ranges to send again, a backfill cursor.
    sa.Column("resend", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("backfill_from", sa.BigInteger, nullable=True),
    sa.Column("backfill_to", sa.BigInteger, nullable=True),
    sa.Column("resent", sa.BigInteger, nullable=False, server_default="0"),  # copies sent again
    sa.Column("resent_at", sa.DateTime(timezone=True), nullable=True),  # the last page of them
    sa.Column("warnings", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Which event each numbered copy carried, so a lost number can be sent again.
event_deliveries = sa.Table(
    "event_deliveries",
    metadata,
    sa.Column("subscription", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("event_log_id", sa.BigInteger, nullable=False),
)
