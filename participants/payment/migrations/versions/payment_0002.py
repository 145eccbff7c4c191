"""Refunds: one row per refund, partial ones included (the returns saga).

Revision ID: payment_0002
Revises: payment_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payment_0002"
down_revision: str | None = "payment_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("payments", "refunds")


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.payment_id"],
        ),
        sa.PrimaryKeyConstraint("refund_id"),
        sa.UniqueConstraint("payment_id", "reference"),
    )
    op.create_index(op.f("ix_refunds_order_id"), "refunds", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_refunds_order_id"), table_name="refunds")
    op.drop_table("refunds")
