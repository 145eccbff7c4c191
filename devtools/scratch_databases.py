"""Throw-away PostgreSQL databases for the tests and the benchmarks: created empty on entry,
dropped on exit (``WITH (FORCE)``, so a connection left open does not keep one alive)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import psycopg


@contextmanager
def postgres_databases(
    admin_url: str, prefix: str, labels: Iterable[str]
) -> Iterator[dict[str, str]]:
    """One fresh database per label, named ``<prefix>_<label>`` (dots as underscores),
    dropped afterwards: label -> its URL, on the server of ``admin_url``."""
    names = {label: f"{prefix}_{label.replace('.', '_')}" for label in labels}
    with _scratch(admin_url, names) as urls:
        yield urls


@contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """One fresh database called ``name``, dropped afterwards: its URL."""
    with _scratch(admin_url, {name: name}) as urls:
        yield urls[name]


@contextmanager
def _scratch(admin_url: str, names: Mapping[str, str]) -> Iterator[dict[str, str]]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # left by a run killed mid-way
            conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield {label: f"{base}/{name}" for label, name in names.items()}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
