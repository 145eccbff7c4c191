"""A pooled PostgreSQL connection that died (a restart, a failover, an idle timeout on the
way) fails the one transaction that uses it, with an OperationalError: transient, so the
inbound task retries it, and the relay, the sweeper and the dispatcher try again at their
next pass. SQLAlchemy then replaces every connection the pool held, not only that one.
Engines have no pre-ping, which cost a round trip per transaction (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from messaging.database import build_engine
from messaging.tables import metadata as platform_tables
from tests.conftest import POSTGRES_ADMIN_URL
from tests.stores import throwaway_store


def terminate_connections(engine: Engine) -> int:
    admin = build_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.begin() as conn:
            query = text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            )
            return int(conn.execute(query, {"name": engine.url.database}).scalar_one())
    finally:
        admin.dispose()


def backend(engine: Engine) -> int:
    with engine.begin() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_dead_pooled_connection_fails_once_then_the_pool_is_renewed(tmp_path: Path) -> None:
    with throwaway_store("postgresql", tmp_path, platform_tables) as engine:
        first, second = engine.connect(), engine.connect()
        pids = {
            first.execute(text("SELECT pg_backend_pid()")).scalar_one(),
            second.execute(text("SELECT pg_backend_pid()")).scalar_one(),
        }
        first.close()
        second.close()  # two connections in the pool, both alive
        assert terminate_connections(engine) >= 2

        with pytest.raises(OperationalError):
            backend(engine)
        # every connection the pool held was replaced, not only the one that failed
        first, second = engine.connect(), engine.connect()
        assert first.execute(text("SELECT pg_backend_pid()")).scalar_one() not in pids
        assert second.execute(text("SELECT pg_backend_pid()")).scalar_one() not in pids
        first.close()
        second.close()
        assert backend(engine) not in pids
