"""Engines for a service's own store: a SQLite file by default, PostgreSQL when a URL is given."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str) -> Engine:
    """``hide_parameters``: a database error names the statement, never the values bound
    to it (a message body, a customer's address), so logging the error logs no customer.

    No ``pool_pre_ping``: it cost a round trip to PostgreSQL for every transaction (3% of
    the platform's CPU, docs/benchmarks.md). A pooled connection that died (a restart, a
    failover) fails the one transaction that uses it, as a transient OperationalError
    that is retried like any other; SQLAlchemy then replaces every connection the pool
    held (docs/deployment.md, high availability)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=5, max_overflow=5, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so that every
        # transaction starts with BEGIN IMMEDIATE: one writer at a time, no
        # lock upgrade failures between a read and a write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A reader (``reading``) takes no lock: in WAL mode it reads a snapshot, and
        # neither waits for a writer nor makes one wait.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


READ_ONLY = "saga_read_only"  # execution option set by ``reading``


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only. On SQLite its transaction begins DEFERRED, not
    IMMEDIATE like every writer's, so a poll (the event dispatcher's ten a second, a
    relay's, the sweeper's, a metrics scrape) never holds the one write lock a saga's
    transition waits for; a write on it is a bug (SQLite may refuse it as busy at once).
    On PostgreSQL it is an ordinary connection."""
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        yield conn


def is_postgresql(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def create_schema(engine: Engine, *metadatas: MetaData) -> None:
    """Create missing tables; several processes may start at once, so serialise."""
    with engine.begin() as conn:
        if is_postgresql(conn):
            key = zlib.crc32(b"saga-schema") & 0x7FFFFFFF
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        for metadata in metadatas:
            metadata.create_all(conn, checkfirst=True)


def dialect_insert(conn: Connection, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT that supports ON CONFLICT on both PostgreSQL and SQLite."""
    if is_postgresql(conn):
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring(table: Table, key: str) -> dict[str, PgInsert | SqliteInsert]:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` built once for each dialect, to execute
    with a dict of values: ``conn.execute(built[conn.dialect.name], values)``.

    Prebuilt statements on the hot path: building one per call (``values()``, ``where()``,
    then its cache key) was a sixth of a worker's CPU, more than running it
    (docs/benchmarks.md#issue-15-cpu-per-saga-and-latency)."""
    return {
        "postgresql": postgresql.insert(table).on_conflict_do_nothing(index_elements=[key]),
        "sqlite": sqlite.insert(table).on_conflict_do_nothing(index_elements=[key]),
    }


def as_utc(value: datetime | None) -> datetime | None:
    """A time with its zone: SQLite keeps none (all ours are UTC), a client may send none."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
