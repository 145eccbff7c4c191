"""The saga tables: one row per saga instance, and its append-only history.

A transition also appends the saga's domain events to ``event_log``, which is the event
dispatcher's (``orchestrator.event_tables``)."""

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

metadata = MetaData()

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
