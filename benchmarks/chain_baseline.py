"""Baseline (b): a plain Celery chain of three tasks through three queues, each writing
one row to its own store (as inventory, payment and shipping do), without an outbox,
inbox, saga record or replies.

    celery -A benchmarks.chain_baseline worker -Q bench.chain.sqlite.a -c 1   # a, b, c
"""

from __future__ import annotations

import time
from typing import Any

from celery import chain

from benchmarks.baseline_app import baseline_app, write_row
from benchmarks.settings import BASELINE_BROKER

STEPS = ("a", "b", "c")
app = baseline_app("bench-chain", BASELINE_BROKER)


def queue(kind: str, step: str) -> str:
    return f"bench.chain.{kind}.{step}"


def store_env(kind: str, step: str) -> str:
    return f"BENCH_CHAIN_{kind.upper()}_{step.upper()}_URL"


def _step(step: str, item_id: str, submitted_at: float, kind: str) -> None:
    write_row(store_env(kind, step), item_id, submitted_at, time.time())


@app.task(name="bench.chain.a")
def step_a(item_id: str, submitted_at: float, kind: str) -> None:
    _step("a", item_id, submitted_at, kind)


@app.task(name="bench.chain.b")
def step_b(item_id: str, submitted_at: float, kind: str) -> None:
    _step("b", item_id, submitted_at, kind)


@app.task(name="bench.chain.c")
def step_c(item_id: str, submitted_at: float, kind: str) -> None:
    _step("c", item_id, submitted_at, kind)


def submit(item_id: str, kind: str) -> None:
    args: tuple[Any, ...] = (item_id, time.time(), kind)
    tasks = (step_a, step_b, step_c)
    chain(
        *(task.si(*args).set(queue=queue(kind, s)) for task, s in zip(tasks, STEPS, strict=True))
    ).apply_async()
