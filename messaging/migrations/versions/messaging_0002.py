"""Retention (issue 14): when a dead letter was handled (``dead_letters.handled_at``, set
when it is replayed; a letter replayed before this revision has none and is kept until an
operator looks), and the indexes a retention run reads by: ``ix_outbox_published_at``,
``ix_inbox_received_at``.

SQLite adds the column in batch mode (the table copied); PostgreSQL gets a plain
``ALTER``. On PostgreSQL the indexes are built in the upgrade's transaction (a short lock
on a store of ordinary size; docs/upgrading.md).

Revision ID: messaging_0002
Revises: messaging_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "messaging_0002"
down_revision: str | None = "messaging_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations by today's create_all (it has the column) is stamped
# here (messaging/schema.py); one without it is stamped at 0001 and upgraded.
ADOPTS = ("dead_letters", "inbox", "outbox")
ADOPTS_COLUMNS = {"dead_letters": ("handled_at",)}


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"], unique=False)
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_received_at", table_name="inbox")
    op.drop_index("ix_outbox_published_at", table_name="outbox")
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("handled_at")
