"""Alembic's env.py for every store: run on the connection messaging/schema.py hands over,
inside its transaction (so a failed step leaves the store as it was)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    # SQLite alters a table by copying it: later revisions' ALTERs work there too
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    compare_server_default=True,
)
with context.begin_transaction():
    context.run_migrations()
