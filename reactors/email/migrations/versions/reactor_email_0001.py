"""The reactor_email tables as create_schema made them before migrations.

Revision ID: reactor_email_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reactor_email_0001"
down_revision: str | None = None
branch_labels = ("reactor_email",)
depends_on: str | None = None

# A store made before migrations with all of these tables is stamped here (messaging/schema.py).
ADOPTS = ("sent_emails",)


def upgrade() -> None:
    op.create_table(
        "sent_emails",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(op.f("ix_sent_emails_order_id"), "sent_emails", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_emails_order_id"), table_name="sent_emails")
    op.drop_table("sent_emails")
