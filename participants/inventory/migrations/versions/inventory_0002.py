"""Restocks: what each return put back on the shelves (the returns saga).

Revision ID: inventory_0002
Revises: inventory_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "inventory_0002"
down_revision: str | None = "inventory_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here, the newest
# revision whose tables are all there (messaging/schema.py).
ADOPTS = ("reservation_lines", "reservations", "restocks", "stock")


def upgrade() -> None:
    op.create_table(
        "restocks",
        sa.Column("return_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("return_id"),
    )
    op.create_index(op.f("ix_restocks_order_id"), "restocks", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_restocks_order_id"), table_name="restocks")
    op.drop_table("restocks")
