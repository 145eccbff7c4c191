"""Sagas of any definition (multi-saga runtime, parallel step groups) and the event
dispatcher's tables: a store at aa775bd to today's layout, its rows kept.

``order_id`` becomes ``business_key`` (its values kept: a checkout's key is its order id),
``parent_key``, ``input``, ``flights`` and ``completed`` are added (empty: read as none),
and the unique key and its index take today's names. ``subscriptions`` and
``event_deliveries`` are created unless a store from between the dispatcher and the
multi-saga runtime has them already. SQLite runs the ``sagas`` part in batch mode (the
table copied); PostgreSQL gets plain ``ALTER``s.

Revision ID: orchestrator_0002
Revises: orchestrator_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "orchestrator_0002"
down_revision: str | None = "orchestrator_0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables, and these columns, is stamped
# here (messaging/schema.py): today's create_all.
ADOPTS = ("event_deliveries", "event_log", "saga_history", "sagas", "subscriptions")
ADOPTS_COLUMNS = {"sagas": ("business_key",)}


def upgrade() -> None:
    with op.batch_alter_table("sagas") as batch:
        batch.drop_index("ix_sagas_order_id")
        batch.drop_constraint("uq_sagas_definition_order", type_="unique")
        batch.alter_column(
            "order_id",
            new_column_name="business_key",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    # a second batch: the first one's copy knows the renamed column by its old key
    with op.batch_alter_table("sagas") as batch:
        batch.add_column(sa.Column("parent_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("input", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("flights", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("completed", sa.JSON(none_as_null=True), nullable=True))
        batch.create_unique_constraint("uq_sagas_definition_key", ["definition", "business_key"])
        batch.create_index("ix_sagas_business_key", ["business_key"], unique=False)
        batch.create_index("ix_sagas_parent_key", ["parent_key"], unique=False)
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "event_deliveries" not in present:
        op.create_table(
            "event_deliveries",
            sa.Column("subscription", sa.String(length=64), nullable=False),
            sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("event_log_id", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("subscription", "seq"),
        )
    if "subscriptions" not in present:
        op.create_table(
            "subscriptions",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("queue", sa.String(length=200), nullable=False),
            sa.Column("events", sa.JSON(), nullable=False),
            sa.Column("owner", sa.String(length=200), nullable=False),
            sa.Column("origin", sa.String(length=20), nullable=False),
            sa.Column("start", sa.String(length=64), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("position", sa.BigInteger(), nullable=False),
            sa.Column("head", sa.BigInteger(), nullable=False),
            sa.Column("acknowledged", sa.BigInteger(), server_default="0", nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("resend", sa.JSON(none_as_null=True), nullable=True),
            sa.Column("backfill_from", sa.BigInteger(), nullable=True),
            sa.Column("backfill_to", sa.BigInteger(), nullable=True),
            sa.Column("resent", sa.BigInteger(), server_default="0", nullable=False),
            sa.Column("resent_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("warnings", sa.JSON(none_as_null=True), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )


def downgrade() -> None:
    op.drop_table("subscriptions")
    op.drop_table("event_deliveries")
    with op.batch_alter_table("sagas") as batch:
        batch.drop_index("ix_sagas_parent_key")
        batch.drop_index("ix_sagas_business_key")
        batch.drop_constraint("uq_sagas_definition_key", type_="unique")
        batch.drop_column("completed")
        batch.drop_column("flights")
        batch.drop_column("input")
        batch.drop_column("parent_key")
    with op.batch_alter_table("sagas") as batch:
        batch.alter_column(
            "business_key",
            new_column_name="order_id",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    with op.batch_alter_table("sagas") as batch:
        batch.create_unique_constraint("uq_sagas_definition_order", ["definition", "order_id"])
        batch.create_index("ix_sagas_order_id", ["order_id"], unique=False)
