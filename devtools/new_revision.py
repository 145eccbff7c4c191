"""Draft the next revision of one owner's tables, from the difference between the code's
tables and a scratch SQLite store brought to the current heads:

    python -m devtools.new_revision orchestrator "add sagas.priority"
    python -m devtools.new_revision reactor.email "..." --branch messaging   # shared tables

It writes ``<label>_<NNNN>.py`` next to the branch's last revision (``down_revision`` set)
and prints its path, or says that the code and the revisions agree. A draft: read it,
check both dialects (tests/service/test_migrations_reproduce_the_schema.py), and write
what autogenerate cannot see (renames, data moves, partial indexes' WHERE).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.operations.ops import AddColumnOp, ModifyTableOps, UpgradeOps
from alembic.runtime.migration import MigrationContext

from messaging.database import build_engine
from messaging.migrate import schemas
from messaging.schema import Branch, StoreSchema, script_of, upgrade

TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {down}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision: str | None = "{down}"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

# A store made before migrations with all of these tables, and these columns (the ones
# this revision adds: edit if it changes something else that tells it apart), is stamped
# here (messaging/schema.py).
ADOPTS = {adopts}
ADOPTS_COLUMNS: dict[str, tuple[str, ...]] = {columns}


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def draft(schema: StoreSchema, branch: Branch, message: str) -> Path | None:
    """The new revision's file, or None when the branch's tables match the code."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = build_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            upgrade(engine, schema)
            with engine.connect() as conn:
                context = MigrationContext.configure(
                    conn,
                    opts={
                        "compare_type": True,
                        "compare_server_default": True,
                        "include_name": lambda name, kind, _parent: (
                            kind != "table" or _owns(branch, name)
                        ),
                    },
                )
                # typed for one MetaData; a list works, as target_metadata does
                migration = produce_migrations(context, list(branch.metadata))  # type: ignore[arg-type]
        finally:
            engine.dispose()
    if migration.upgrade_ops is None or migration.upgrade_ops.is_empty():
        return None
    (head,) = script_of(schema).get_revisions(f"{branch.label}@head")
    assert head is not None and migration.downgrade_ops is not None
    number = int(head.revision.rsplit("_", 1)[-1]) + 1
    revision = f"{branch.label}_{number:04d}"
    path = branch.versions / f"{revision}.py"
    path.write_text(
        TEMPLATE.format(
            message=message,
            revision=revision,
            down=head.revision,
            adopts=repr(tuple(sorted(t for m in branch.metadata for t in m.tables))),
            columns=repr(_added_columns(migration.upgrade_ops)),
            upgrade=_render(migration.upgrade_ops),
            downgrade=_render(migration.downgrade_ops),
        )
    )
    return path


def _added_columns(ops: UpgradeOps) -> dict[str, tuple[str, ...]]:
    """table -> the columns the revision adds: what tells a store at it from one before."""
    added: dict[str, tuple[str, ...]] = {}
    for table_ops in ops.ops:
        if isinstance(table_ops, ModifyTableOps):
            names = [op.column.name for op in table_ops.ops if isinstance(op, AddColumnOp)]
            if names:
                added[table_ops.table_name] = tuple(names)
    return added


def _owns(branch: Branch, table: str | None) -> bool:
    return any(table in metadata.tables for metadata in branch.metadata)


def _render(ops: object) -> str:
    code = render_python_code(
        ops,  # type: ignore[arg-type]
        sqlalchemy_module_prefix="sa.",
        alembic_module_prefix="op.",
        render_as_batch=True,  # batch operations: SQLite copies the table, PostgreSQL ALTERs it
    )
    lines = [line for line in code.splitlines() if "### " not in line]
    return "\n".join(lines).rstrip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.new_revision", description=__doc__)
    parser.add_argument("service", help="e.g. orchestrator, reactor.email")
    parser.add_argument("message", help="what the revision does")
    parser.add_argument("--branch", help="the owner (default: the service's own tables)")
    args = parser.parse_args(argv)
    known = schemas()
    if args.service not in known:
        parser.error(f"unknown service {args.service}; known: {', '.join(known)}")
    schema = known[args.service]
    branches = {b.label: b for b in schema.branches}
    if args.branch and args.branch not in branches:
        parser.error(f"{args.service}'s store has no branch {args.branch}: {', '.join(branches)}")
    branch = branches[args.branch] if args.branch else schema.branches[-1]
    path = draft(schema, branch, args.message)
    print(path or f"{branch.label}: the revisions make the code's tables, nothing to write")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
