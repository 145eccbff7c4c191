"""The saga tables: one row per saga instance, and its append-only history.

A transition also appends the saga's domain events to ``event_log``, which is the event
dispatcher's (``orchestrator.event_tables``)."""

from __future__ import annotations

import sqlalchemy as sa

from messaging.tables import Id

metadata = sa.MetaData()

sagas = sa.Table(
    "sagas",
    metadata,
    sa.Column("saga_id", sa.String(64), primary_key=True),
    sa.Column("definition", sa.String(100), nullable=False),
    # The version of the definition the saga started on, and runs on until it ends.
    sa.Column("definition_version", sa.Integer, nullable=False, server_default="1"),
    # What makes a start idempotent: the input's key (a checkout's order id, a return id).
    sa.Column("business_key", sa.String(64), nullable=False),
    # The saga this one is about, if any (a return's order id): one index finds them all.
    sa.Column("parent_key", sa.String(64), nullable=True),
    sa.Column("input", sa.JSON, nullable=True),  # as the client submitted it, validated
    sa.Column("correlation_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("current_step", sa.String(100), nullable=True),
    sa.Column("steps", sa.JSON, nullable=False),  # step name -> status
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("awaiting", sa.String(64), nullable=True),  # message id of the command in flight
    sa.Column("failure", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
    # When the sweeper acts if nothing arrives: resend the command, retry, or give up.
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    sa.Column("querying", sa.Boolean, nullable=False, server_default=sa.false()),
    # A parallel stage's commands in flight, [{step, message_id, attempt, deadline}], and
    # the step names in the order they succeeded (undone in reverse). NULL reads as empty.
    sa.Column("flights", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("completed", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("definition", "business_key", name="uq_sagas_definition_key"),
    sa.Index("ix_sagas_business_key", "business_key"),
    sa.Index("ix_sagas_parent_key", "parent_key"),
    sa.Index("ix_sagas_deadline", "deadline", postgresql_where=sa.text("deadline IS NOT NULL")),
    # retention: finished sagas past their keep period (orchestrator_0004)
    sa.Index("ix_sagas_status_updated_at", "status", "updated_at"),
)

saga_history = sa.Table(
    "saga_history",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("saga_id", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("step", sa.String(100), nullable=True),
    sa.Column("message_id", sa.String(64), nullable=True),
    sa.Column("message_type", sa.String(100), nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
)
