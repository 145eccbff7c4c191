"""The reactor_analytics tables as create_schema made them at aa775bd, before migrations.

Revision ID: reactor_analytics_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reactor_analytics_0001"
down_revision: str | None = None
branch_labels = ("reactor_analytics",)
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("daily_sales", "order_facts")


def upgrade() -> None:
    op.create_table(
        "daily_sales",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency"),
    )
    op.create_table(
        "order_facts",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sa.UniqueConstraint("order_id", "outcome", name="uq_order_facts_order_outcome"),
    )
    op.create_index(op.f("ix_order_facts_order_id"), "order_facts", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_order_facts_order_id"), table_name="order_facts")
    op.drop_table("order_facts")
    op.drop_table("daily_sales")
