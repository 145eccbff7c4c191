"""The reactor_crm tables as create_schema made them before migrations.

Revision ID: reactor_crm_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reactor_crm_0001"
down_revision: str | None = None
branch_labels = ("reactor_crm",)
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here (messaging/schema.py).
ADOPTS = ("customer_history", "customers")


def upgrade() -> None:
    op.create_table(
        "customer_history",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        op.f("ix_customer_history_customer_id"), "customer_history", ["customer_id"], unique=False
    )
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("lifetime_value_cents", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )


def downgrade() -> None:
    op.drop_table("customers")
    op.drop_index(op.f("ix_customer_history_customer_id"), table_name="customer_history")
    op.drop_table("customer_history")
