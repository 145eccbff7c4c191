"""The fraud store: one screening per order.

Revision ID: fraud_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fraud_0001"
down_revision: str | None = None
branch_labels = ("fraud",)
depends_on: str | None = None

# No fraud store was made before migrations, so none is of an older layout. A store with
# these tables and no version table (one made by create_all, as tests make them) is
# stamped here (messaging/schema.py).
ADOPTS = ("screenings",)


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("screening_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("screening_id"),
        sa.UniqueConstraint("order_id"),
    )


def downgrade() -> None:
    op.drop_table("screenings")
