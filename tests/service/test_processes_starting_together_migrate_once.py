"""Processes of one service starting together (SAGA_MIGRATE=auto) upgrade its store one at
a time: the first does it, the others find it done (PostgreSQL: an advisory lock;
SQLite: BEGIN IMMEDIATE), and none fails."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from messaging.database import build_engine
from messaging.schema import Outcome, current, upgrade
from orchestrator.migrations import SCHEMA
from tests.stores import throwaway_store

STARTING = 4


def test_one_upgrades_the_others_find_it_done(kind, tmp_path):
    with throwaway_store(kind, tmp_path) as store:
        url = store.url.render_as_string(hide_password=False)

        def start() -> Outcome:
            engine = build_engine(url)
            try:
                return upgrade(engine, SCHEMA)
            finally:
                engine.dispose()

        with ThreadPoolExecutor(STARTING) as pool:
            outcomes = list(pool.map(lambda _: start(), range(STARTING)))
        heads = ("messaging_0002", "orchestrator_0004")
        assert sorted(o.before for o in outcomes) == [(), *[heads] * (STARTING - 1)]
        assert all(o.after == heads for o in outcomes)
        with store.connect() as conn:
            assert current(conn) == heads
