"""Throw-away stores for tests that need a real database but no platform: a SQLite file
in the test's directory, or a PostgreSQL database created for it and dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData

from devtools.scratch_databases import postgres_database
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
    with postgres_database(POSTGRES_ADMIN_URL, f"saga_t{uuid.uuid4().hex[:10]}") as url:
        built = build_engine(url)
        try:
            create_schema(built, *metadata)
            yield built
        finally:
            built.dispose()
