"""The payment tables as create_schema made them at aa775bd, before migrations.

Revision ID: payment_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payment_0001"
down_revision: str | None = None
branch_labels = ("payment",)
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("payments",)


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("authorization", sa.String(length=64), nullable=False),
        sa.Column("refund_reference", sa.String(length=64), nullable=True),
        sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_index(op.f("ix_payments_order_id"), "payments", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_order_id"), table_name="payments")
    op.drop_table("payments")
