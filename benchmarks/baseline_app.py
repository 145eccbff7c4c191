"""The Celery settings every baseline app shares: those of our services that change cost
(JSON, acks_late, prefetch 1, no results), without our consumer. Task events stay off, as
in a plain Celery install: sending them is part of our platform's cost, not the floor's."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from sqlalchemy import Column, Engine, Float, MetaData, String, Table

from messaging.database import build_engine, create_schema

metadata = MetaData()
# The one row a step writes, the same for the plain chain and celery-saga.
step_rows = Table(
    "step_rows",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("submitted_at", Float, nullable=False),
    Column("done_at", Float, nullable=False),
)


def baseline_app(name: str, broker: str) -> Celery:
    app = Celery(name, broker=broker, set_as_current=True)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        task_create_missing_queues=True,
    )
    return app


_engines: dict[tuple[int, str], Engine] = {}


def engine_for(env_var: str) -> Engine:
    """The store named by an environment variable, built once per process (after fork)."""
    url = os.environ[env_var]
    key = (os.getpid(), url)
    if key not in _engines:
        engine = build_engine(url)
        create_schema(engine, metadata)
        _engines[key] = engine
    return _engines[key]


def write_row(env_var: str, item_id: str, submitted_at: float, done_at: float) -> None:
    with engine_for(env_var).begin() as conn:
        conn.execute(
            step_rows.insert().values(item_id=item_id, submitted_at=submitted_at, done_at=done_at)
        )


def done_rows(engine: Engine, item_ids: list[str]) -> list[Any]:
    """The rows of these items in a step's store (the ones that got there)."""
    rows: list[Any] = []
    with engine.begin() as conn:
        for i in range(0, len(item_ids), 500):
            query = step_rows.select().where(step_rows.c.item_id.in_(item_ids[i : i + 500]))
            rows.extend(conn.execute(query).all())
    return rows


def reader(url: str) -> Engine:
    from benchmarks.stores import reader_engine

    writer = build_engine(url)
    create_schema(writer, metadata)  # the table, before the first row is there
    writer.dispose()
    return reader_engine(url)
