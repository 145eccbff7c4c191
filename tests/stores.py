"""Throw-away stores for tests that need a real database but no platform: a SQLite file
in the test's directory, or a PostgreSQL database created for it and dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, MetaData

from messaging.database import build_engine, create_schema
from tests.conftest import POSTGRES_ADMIN_URL

KINDS = ("sqlite", "postgresql")


@contextmanager
def throwaway_store(kind: str, directory: Path, *metadata: MetaData) -> Iterator[Engine]:
    """An engine on a new empty store of ``kind`` with these tables created."""
    if kind == "sqlite":
        built = build_engine(f"sqlite:///{directory / f'store-{uuid.uuid4().hex[:8]}.db'}")
        try:
            create_schema(built, *metadata)
            yield built
        finally:
            built.dispose()
        return
    name = f"saga_t{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    built = build_engine(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    try:
        create_schema(built, *metadata)
        yield built
    finally:
        built.dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
