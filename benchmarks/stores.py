"""Throw-away databases: SQLite files in a temp dir, or PostgreSQL databases named bench_*."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine

from benchmarks.settings import POSTGRES_ADMIN
from devtools.scratch_databases import postgres_databases
from messaging.database import normalise_url


@contextmanager
def databases(
    kind: str, label: str, names: Sequence[str], directory: Path
) -> Iterator[dict[str, str]]:
    """One fresh database per name, removed afterwards (a SQLite file goes with its dir)."""
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield {name: f"sqlite:///{directory / f'{label}-{name}.db'}" for name in names}
        return
    with postgres_databases(POSTGRES_ADMIN, f"bench_{os.getpid()}_{label}", names) as urls:
        yield urls


def reader_engine(url: str) -> Engine:
    """An engine for our reads: plain transactions (the services' SQLite engines begin
    every transaction with BEGIN IMMEDIATE, the write lock, which a reader must not take)."""
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(normalise_url(url), pool_size=2, max_overflow=0)
