"""The orchestrator's tables: saga instances, their append-only history, the event log,
and who subscribes to its events (the event dispatcher's)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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

metadata = MetaData()

Id = BigInteger().with_variant(Integer(), "sqlite")

sagas = Table(
    "sagas",
    metadata,
    Column("saga_id", String(64), primary_key=True),
    Column("definition", String(100), nullable=False),
    # What makes a start idempotent: the input's key (a checkout's order id, a return id).
    Column("business_key", String(64), nullable=False),
    # The saga this one is about, if any (a return's order id): one index finds them all.
    Column("parent_key", String(64), nullable=True),
    Column("input", JSON, nullable=True),  # as the client submitted it, validated
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
    # A parallel stage's commands in flight, [{step, message_id, attempt, deadline}], and
    # the step names in the order they succeeded (undone in reverse). NULL reads as empty.
    Column("flights", JSON(none_as_null=True), nullable=True),
    Column("completed", JSON(none_as_null=True), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("definition", "business_key", name="uq_sagas_definition_key"),
    Index("ix_sagas_business_key", "business_key"),
    Index("ix_sagas_parent_key", "parent_key"),
    Index("ix_sagas_deadline", "deadline", postgresql_where=text("deadline IS NOT NULL")),
)

saga_history = Table(
    "saga_history",
    metadata,
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
