"""Baseline (c): the peer library celery-saga (PyPI, ``import celery_saga``) running the
same three steps with compensations, its saga state in Redis (its RedisSagaBackend), each
step writing one row to its own store.

    celery -A benchmarks.celery_saga_baseline worker -Q bench.csaga -c 3
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import redis
from celery_saga import Saga, set_default_backend  # type: ignore[import-untyped]
from celery_saga.backends import RedisSagaBackend  # type: ignore[import-untyped]

from benchmarks.baseline_app import baseline_app, write_row
from benchmarks.settings import CELERY_SAGA_BROKER

QUEUE = "bench.csaga"
app = baseline_app("bench-csaga", CELERY_SAGA_BROKER)
set_default_backend(RedisSagaBackend(url=CELERY_SAGA_BROKER))


def store_env(kind: str, step: str) -> str:
    return f"BENCH_CSAGA_{kind.upper()}_{step.upper()}_URL"


def _write(step: str, item_id: str, submitted_at: float, kind: str) -> dict[str, Any]:
    write_row(store_env(kind, step), item_id, submitted_at, time.time())
    return {f"{step}_done": True}


@app.task(name="bench.csaga.reserve")
def reserve(item_id: str, submitted_at: float, kind: str, **_: Any) -> dict[str, Any]:
    return _write("reserve", item_id, submitted_at, kind)


@app.task(name="bench.csaga.charge")
def charge(item_id: str, submitted_at: float, kind: str, **_: Any) -> dict[str, Any]:
    return _write("charge", item_id, submitted_at, kind)


@app.task(name="bench.csaga.ship")
def ship(item_id: str, submitted_at: float, kind: str, **_: Any) -> dict[str, Any]:
    return _write("ship", item_id, submitted_at, kind)


@app.task(name="bench.csaga.release")
def release(_data: Any = None) -> None:
    return None


@app.task(name="bench.csaga.refund")
def refund(_data: Any = None) -> None:
    return None


CHECKOUT = (
    Saga("bench-checkout")
    .add_step(reserve, compensate=release)
    .add_step(charge, compensate=refund)
    .add_step(ship)
)


def submit(item_id: str, kind: str) -> str:
    app.set_current()  # celery-saga's own tasks are shared tasks: they use the current app
    result = CHECKOUT.run(queue=QUEUE, item_id=item_id, submitted_at=time.time(), kind=kind)
    saga_id: str = result.saga_id
    return saga_id


def finished_at(client: redis.Redis, saga_ids: list[str]) -> dict[str, float]:
    """Completion time (the record's updated_at) of each completed saga."""
    done = {}
    for i in range(0, len(saga_ids), 500):
        chunk = saga_ids[i : i + 500]
        for saga_id, raw in zip(
            chunk, client.mget([f"celery_saga:{s}" for s in chunk]), strict=True
        ):
            if raw is None:
                continue
            record = json.loads(raw)
            if record["status"] == "completed":
                done[saga_id] = datetime.fromisoformat(record["updated_at"]).timestamp()
    return done
