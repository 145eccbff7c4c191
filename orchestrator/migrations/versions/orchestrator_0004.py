"""Retention (issue 14): ``ix_sagas_status_updated_at`` on ``sagas (status, updated_at)``,
so that a retention run finds finished sagas past their keep period without reading
every saga.

An index only: no column tells a store made by today's ``create_all`` (it has the index)
from one of 0003, so such a store is stamped at 0003 and this revision creates the index
only where it is missing.

Revision ID: orchestrator_0004
Revises: orchestrator_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "orchestrator_0004"
down_revision: str | None = "orchestrator_0003"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# No ADOPTS: a store made before migrations is never stamped here (see above).
INDEX = "ix_sagas_status_updated_at"


def upgrade() -> None:
    present = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("sagas")}
    if INDEX not in present:
        op.create_index(INDEX, "sagas", ["status", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="sagas")
