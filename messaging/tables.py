"""The tables every service keeps next to its own data: outbox, inbox and dead letters."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

# Autoincrementing BIGINT on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    metadata,
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
    # retention: the published rows, oldest first (messaging_0002)
    Index("ix_outbox_published_at", "published_at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("message_type", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # The messages this one caused, re-sent as they were when it is delivered again.
    Column("response", JSON, nullable=True),
    Index("ix_inbox_received_at", "received_at"),  # retention (messaging_0002)
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("task_name", String(200), nullable=False),
    Column("message_id", String(64), nullable=True, index=True),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False, server_default="parked", index=True),
    # When it was replayed (status no longer "parked"): retention counts from here.
    Column("handled_at", DateTime(timezone=True), nullable=True),
)

# A reactor's own record of the numbered copies it has seen (messaging.subscriptions):
# every number up to `contiguous` is held; above it, each number seen has a row.
reactor_metadata = MetaData()

delivery_receipts = Table(
    "delivery_receipts",
    reactor_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

delivery_watermark = Table(
    "delivery_watermark",
    reactor_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("contiguous", BigInteger, nullable=False),
)
