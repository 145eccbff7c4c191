"""The weight each shipment's carrier was chosen by (participants/shipping/choice.py).

``shipments.weight_grams`` is added, nullable: a shipment made before the choice keeps
its row and its carrier, with no weight (read as unknown). The chosen carrier itself was
always kept, in ``shipments.carrier``. SQLite runs it in batch mode (the table copied);
PostgreSQL gets a plain ``ALTER``.

Revision ID: shipping_0003
Revises: shipping_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "shipping_0003"
down_revision: str | None = "shipping_0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables, and these columns, is stamped
# here (messaging/schema.py): today's create_all.
ADOPTS = ("return_labels", "shipments")
ADOPTS_COLUMNS: dict[str, tuple[str, ...]] = {"shipments": ("weight_grams",)}


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("weight_grams", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("weight_grams")
