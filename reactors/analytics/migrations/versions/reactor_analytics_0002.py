"""Return facts and refunds per day (the returns saga's events).

Revision ID: reactor_analytics_0002
Revises: reactor_analytics_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reactor_analytics_0002"
down_revision: str | None = "reactor_analytics_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("daily_sales", "order_facts", "refunds_per_day", "return_facts")


def upgrade() -> None:
    op.create_table(
        "refunds_per_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunds", sa.Integer(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency"),
    )
    op.create_table(
        "return_facts",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refund_cents", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sa.UniqueConstraint("return_id", "outcome", name="uq_return_facts_return_outcome"),
    )
    op.create_index(op.f("ix_return_facts_order_id"), "return_facts", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_facts_order_id"), table_name="return_facts")
    op.drop_table("return_facts")
    op.drop_table("refunds_per_day")
