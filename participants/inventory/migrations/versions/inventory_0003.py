"""Partial reservations (``ReserveInventory`` with ``allow_partial``): each reservation
records what it could not take, ``reservations.missing``, for the order's trail and for
answering the same order again with its first reply. Null (every reservation made
before) means nothing was missing. SQLite adds the column in batch mode, which needs no
copy of the table for an added nullable column; PostgreSQL gets a plain ``ALTER``.

Revision ID: inventory_0003
Revises: inventory_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "inventory_0003"
down_revision: str | None = "inventory_0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables, and these columns, is stamped
# here (messaging/schema.py): today's create_all.
ADOPTS = ("reservation_lines", "reservations", "restocks", "stock")
ADOPTS_COLUMNS = {"reservations": ("missing",)}


def upgrade() -> None:
    with op.batch_alter_table("reservations") as batch:
        batch.add_column(sa.Column("missing", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reservations") as batch:
        batch.drop_column("missing")
