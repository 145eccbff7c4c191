"""The orchestrator tables as create_schema made them at aa775bd, before migrations:
sagas keyed by (definition, order_id), no event dispatcher tables.

Revision ID: orchestrator_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "orchestrator_0001"
down_revision: str | None = None
branch_labels = ("orchestrator",)
depends_on: str | None = None

# A store made before migrations with all of these tables, and these columns, is stamped
# here unless a later revision's match (messaging/schema.py).
ADOPTS = ("event_log", "saga_history", "sagas")
ADOPTS_COLUMNS = {"sagas": ("order_id",)}


def upgrade() -> None:
    op.create_table(
        "saga_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("saga_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("step", sa.String(length=100), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("message_type", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_saga_history_saga_id"), "saga_history", ["saga_id"], unique=False)
    op.create_table(
        "sagas",
        sa.Column("saga_id", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_step", sa.String(length=100), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("awaiting", sa.String(length=64), nullable=True),
        sa.Column("failure", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("querying", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("saga_id"),
        sa.UniqueConstraint("definition", "order_id", name="uq_sagas_definition_order"),
    )
    op.create_index("ix_sagas_order_id", "sagas", ["order_id"], unique=False)
    op.create_index(
        "ix_sagas_deadline",
        "sagas",
        ["deadline"],
        unique=False,
        postgresql_where=sa.text("deadline IS NOT NULL"),
    )
    op.create_index(op.f("ix_sagas_status"), "sagas", ["status"], unique=False)
    op.create_table(
        "event_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("saga_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(op.f("ix_event_log_created_at"), "event_log", ["created_at"], unique=False)
    op.create_index(op.f("ix_event_log_event_type"), "event_log", ["event_type"], unique=False)
    op.create_index(op.f("ix_event_log_saga_id"), "event_log", ["saga_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_event_log_saga_id"), table_name="event_log")
    op.drop_index(op.f("ix_event_log_event_type"), table_name="event_log")
    op.drop_index(op.f("ix_event_log_created_at"), table_name="event_log")
    op.drop_table("event_log")
    op.drop_index(op.f("ix_sagas_status"), table_name="sagas")
    op.drop_index(
        "ix_sagas_deadline", table_name="sagas", postgresql_where=sa.text("deadline IS NOT NULL")
    )
    op.drop_index("ix_sagas_order_id", table_name="sagas")
    op.drop_table("sagas")
    op.drop_index(op.f("ix_saga_history_saga_id"), table_name="saga_history")
    op.drop_table("saga_history")
