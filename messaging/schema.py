"""Each store's schema under Alembic: one version table per store, one branch per owner.

Every store holds the shared tables (``messaging`` branch, messaging/migrations/versions),
a reactor's store the receipts too (``messaging_reactor``), and each service its own
(``orchestrator``, ``inventory``, ``reactor_email``, ... in the service's
``migrations/versions``). Alembic is configured here, from code: no alembic.ini; the one
env.py (messaging/migrations/env.py) runs on the connection it is handed.

``upgrade`` takes a store to every branch's head in one transaction (PostgreSQL: under
the advisory lock that ``create_schema`` used; SQLite: ``BEGIN IMMEDIATE``), so processes
starting together do it once. A store made before migrations (tables, no version table)
is adopted: each branch is stamped at its newest revision whose tables (``ADOPTS``) and
marking columns (``ADOPTS_COLUMNS``) are there (a store of aa775bd at the first
revisions, one made by today's ``create_all`` at the heads), upgraded to the heads, then
compared with the code's tables: a difference (a layout older than the first revision)
refuses, with nothing written.
"""

from __future__ import annotations

import importlib.util
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

from messaging import tables
from messaging.database import create_schema, is_postgresql
from messaging.logs import get_logger

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default: one per store, one row per head
# The key create_schema locks: an older process creating tables waits for us, and so do we.
_LOCK_KEY = zlib.crc32(b"saga-schema") & 0x7FFFFFFF


class StoreBehind(RuntimeError):
    """The store's schema is older than the code's: the message names the command to run."""


class StoreMismatch(RuntimeError):
    """An unversioned store of no revision's layout, or one that differs from the code once
    upgraded: not adopted, nothing written."""


@dataclass(frozen=True)
class Branch:
    """One owner's tables and the folder of their revisions."""

    label: str
    versions: Path
    metadata: tuple[MetaData, ...]

    @classmethod
    def in_package(cls, label: str, package: str, *metadata: MetaData) -> Branch:
        """The revisions in ``<package>/versions`` (a package: the wheel carries it)."""
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise LookupError(f"no package {package!r} for the migrations of {label!r}")
        return cls(label, Path(spec.origin).parent / "versions", metadata)


# outbox, inbox, dead letters: every store
SHARED = Branch("messaging", MIGRATIONS / "versions", (tables.metadata,))
# delivery receipts and watermark: every reactor's store
RECEIPTS = Branch("messaging_reactor", MIGRATIONS / "reactor_versions", (tables.reactor_metadata,))


@dataclass(frozen=True)
class StoreSchema:
    """What one service's store holds: its branches, and tables kept by ``create_all``
    (a plug-in reactor that ships no migrations)."""

    service: str
    branches: tuple[Branch, ...]
    unversioned: tuple[MetaData, ...] = field(default=())

    @classmethod
    def of(
        cls,
        service: str,
        *own: Branch,
        reactor: bool = False,
        unversioned: Sequence[MetaData] = (),
    ) -> StoreSchema:
        shared = (SHARED, RECEIPTS) if reactor else (SHARED,)
        return cls(service, (*shared, *own), tuple(unversioned))

    @property
    def metadata(self) -> list[MetaData]:
        return [m for branch in self.branches for m in branch.metadata]

    @property
    def command(self) -> str:
        return f"saga-migrate {self.service}"


@dataclass(frozen=True)
class Outcome:
    """What ``upgrade`` did to one store."""

    stamped: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]

    def __str__(self) -> str:
        done = []
        if self.stamped:
            done.append("adopted (stamped " + ", ".join(self.stamped) + ")")
        if self.before == self.after:
            done.append("up to date at " + ", ".join(self.after))
        else:
            done.append(
                "upgraded " + (", ".join(self.before) or "(empty)") + " -> " + ", ".join(self.after)
            )
        return "; ".join(done)


def script_of(schema: StoreSchema) -> ScriptDirectory:
    return ScriptDirectory(
        str(MIGRATIONS), version_locations=[str(b.versions) for b in schema.branches]
    )


def current(conn: Connection) -> tuple[str, ...]:
    """The store's revisions (read directly: an Alembic context logs two lines each time)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return ()
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return tuple(sorted(rows))


def ahead(conn: Connection, schema: StoreSchema) -> tuple[str, ...]:
    """The store's revisions this code does not know: written by a newer version (as while
    one is rolled out), so neither behind nor to be upgraded by this one."""
    known = {rev.revision for rev in script_of(schema).walk_revisions()}
    return tuple(sorted(set(current(conn)) - known))


def behind(conn: Connection, schema: StoreSchema) -> tuple[str, ...]:
    """The heads of the code that the store has not reached (empty: up to date, or ahead)."""
    if ahead(conn, schema):
        return ()
    script = script_of(schema)
    have = set(current(conn))
    reached: set[str] = set()
    for rev in have:
        reached.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return tuple(sorted(set(script.get_heads()) - reached))


def upgrade(engine: Engine, schema: StoreSchema) -> Outcome:
    """Every branch to its head (adopting a store made before migrations), then the
    unversioned tables created; one transaction."""
    with engine.begin() as conn:
        if is_postgresql(conn):
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        stamped = () if current(conn) else _adopt(conn, schema)
        before = current(conn)
        after = before  # up to date, or written by a newer version: left as it is
        if behind(conn, schema):
            command.upgrade(_config(conn, schema), "heads")
            after = current(conn)
        if stamped:
            _check_adopted(conn, schema)
        for metadata in schema.unversioned:
            metadata.create_all(conn, checkfirst=True)
    return Outcome(stamped, before, after)


def check(engine: Engine, schema: StoreSchema) -> None:
    """StoreBehind unless the store has reached every head of the code."""
    with engine.connect() as conn:
        missing = behind(conn, schema)
    if missing:
        raise StoreBehind(
            f"the {schema.service} store is behind the code (missing {', '.join(missing)}): "
            f"run `{schema.command}` (or set SAGA_MIGRATE=auto)"
        )


def prepare(engine: Engine, schema: StoreSchema, mode: str) -> None:
    """What a process does with its store at start: ``auto`` upgrades, ``check`` refuses
    a store that is behind (and creates the unversioned tables of a plug-in)."""
    if mode == "auto":
        done = upgrade(engine, schema)
        if done.stamped or done.before != done.after:
            get_logger().info("store_migrated", service=schema.service, outcome=str(done))
        return
    check(engine, schema)
    if schema.unversioned:
        create_schema(engine, *schema.unversioned)  # under the same lock


def _config(conn: Connection, schema: StoreSchema) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(b.versions) for b in schema.branches)
    )
    config.attributes["connection"] = conn
    config.attributes["target_metadata"] = schema.metadata
    return config


def _adopt(conn: Connection, schema: StoreSchema) -> tuple[str, ...]:
    """Stamp each branch at its newest revision whose layout the store has: all the
    revision's ``ADOPTS`` tables, and its ``ADOPTS_COLUMNS`` (the columns that tell its
    layout from the one before, as ``sagas.order_id`` / ``sagas.business_key``). A branch
    with none of its tables is left unstamped (it runs from its start). One with only
    some of its first revision's tables (a store from before a table was added) gets the
    others from the code while that revision is the branch's only one (the code's tables
    are then that revision's); otherwise StoreMismatch. What the markers do not see is
    caught after the upgrade, by comparing the store with the code's tables."""
    script = script_of(schema)
    present = set(inspect(conn).get_table_names())
    stamps: list[str] = []
    for branch in schema.branches:
        head, base = _ends(script, branch.label)
        chain = list(script.iterate_revisions(head, "base"))  # newest first
        known = {t for rev in chain for t in getattr(rev.module, "ADOPTS", ())}
        if not known & present:
            continue
        match = next((rev.revision for rev in chain if _has_layout(conn, rev, present)), None)
        if match is not None:
            stamps.append(match)
            continue
        adopts = set(getattr(script.get_revision(base).module, "ADOPTS", ()))
        found, missing = adopts & present, adopts - present
        if not found or head != base:
            raise StoreMismatch(
                f"the {schema.service} store has {', '.join(sorted(known & present))} but "
                f"not the layout of any {branch.label} revision: not a layout saga-migrate "
                "can adopt (docs/operations.md, Migrations); nothing was changed"
            )
        for metadata in branch.metadata:
            tables = [t for name, t in metadata.tables.items() if name in missing]
            metadata.create_all(conn, tables=tables, checkfirst=True)
        stamps.append(base)
    if stamps:
        command.stamp(_config(conn, schema), sorted(stamps))
    return tuple(sorted(stamps))


def _has_layout(conn: Connection, revision: Any, present: set[str]) -> bool:
    """The store has the revision's tables (``ADOPTS``) and marking columns."""
    adopts = set(getattr(revision.module, "ADOPTS", ()))
    if not adopts or not adopts <= present:
        return False
    marks: dict[str, Sequence[str]] = getattr(revision.module, "ADOPTS_COLUMNS", {})
    for table, columns in marks.items():
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        if not set(columns) <= have:
            return False
    return True


def _ends(script: ScriptDirectory, label: str) -> tuple[str, str]:
    """A branch's head and first revision."""
    (head,) = script.get_revisions(f"{label}@head")
    assert head is not None
    chain = list(script.iterate_revisions(head.revision, "base"))
    return head.revision, chain[-1].revision


def _check_adopted(conn: Connection, schema: StoreSchema) -> None:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    # typed for one MetaData; a list works as target_metadata does (autogenerate.api)
    differences = compare_metadata(context, schema.metadata)  # type: ignore[arg-type]
    if differences:
        shown = "; ".join(_describe(d) for d in differences[:12])
        if len(differences) > 12:
            shown += f"; and {len(differences) - 12} more"
        raise StoreMismatch(
            f"the {schema.service} store was made by an older version than its first "
            f"migration and differs from it ({shown}): bring it to that layout first "
            "(docs/operations.md, Migrations); nothing was changed"
        )


def _describe(difference: Any) -> str:
    """One of compare_metadata's differences, in a few words ("sagas.deadline missing")."""
    if isinstance(difference, list):  # modify_type, modify_nullable, ...: one per column
        kind, _schema, table, column = difference[0][:4]
        return f"{table}.{column}: {kind.removeprefix('modify_')} differs"
    kind, *rest = difference
    thing = rest[-1]
    name = getattr(thing, "name", thing)
    table = getattr(getattr(thing, "table", None), "name", None)
    if kind == "add_column":
        return f"{rest[1]}.{name} missing"
    if kind == "remove_column":
        return f"{rest[1]}.{name} not in the code"
    where = f" on {table}" if table else ""
    return f"{kind.replace('_', ' ')} {name}{where}"
