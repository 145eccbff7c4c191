"""The messaging_reactor tables as create_schema made them before migrations.

Revision ID: messaging_reactor_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "messaging_reactor_0001"
down_revision: str | None = None
branch_labels = ("messaging_reactor",)
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here (messaging/schema.py).
ADOPTS = ("delivery_receipts", "delivery_watermark")


def upgrade() -> None:
    op.create_table(
        "delivery_receipts",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "delivery_watermark",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contiguous", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("delivery_watermark")
    op.drop_table("delivery_receipts")
