"""Return labels: one per return (the returns saga).

Revision ID: shipping_0002
Revises: shipping_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "shipping_0002"
down_revision: str | None = "shipping_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("return_labels", "shipments")


def upgrade() -> None:
    op.create_table(
        "return_labels",
        sa.Column("label_id", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("label_id"),
        sa.UniqueConstraint("return_id"),
    )
    op.create_index(op.f("ix_return_labels_order_id"), "return_labels", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_labels_order_id"), table_name="return_labels")
    op.drop_table("return_labels")
