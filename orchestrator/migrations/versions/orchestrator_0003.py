"""Each saga records the version of its definition it started on (and finishes on):
``sagas.definition_version``, an integer, 1 for every row written before versions.

SQLite adds the column in batch mode (the table copied); PostgreSQL gets a plain
``ALTER``. The server default fills existing rows, so a saga that was running before
this revision reads as version 1 of its definition, the only version there was.

Revision ID: orchestrator_0003
Revises: orchestrator_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "orchestrator_0003"
down_revision: str | None = "orchestrator_0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations by today's create_all (it has the column) is stamped
# here (messaging/schema.py); one without it is stamped at 0002 and upgraded.
ADOPTS = ("event_deliveries", "event_log", "saga_history", "sagas", "subscriptions")
ADOPTS_COLUMNS = {"sagas": ("business_key", "definition_version")}


def upgrade() -> None:
    with op.batch_alter_table("sagas") as batch:
        batch.add_column(
            sa.Column("definition_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sagas") as batch:
        batch.drop_column("definition_version")
