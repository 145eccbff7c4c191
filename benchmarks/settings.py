"""What a run measures and where: Redis databases, PostgreSQL, the two modes."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
PLATFORM_BROKER = f"{REDIS_BASE}/9"  # the platform's broker and result backend
BASELINE_BROKER = f"{REDIS_BASE}/10"  # no-op tasks and the plain chain
CELERY_SAGA_BROKER = f"{REDIS_BASE}/11"  # celery-saga: broker and its saga state
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
STORES = ("sqlite", "postgresql")
# Procfile lines we do not benchmark: Flower is an optional monitoring UI (it only adds
# the cost of a Celery event consumer), "web" a viewer nobody uses during the run.
EXCLUDED_PROCESSES = frozenset({"flower", "web"})


@dataclass(frozen=True)
class Mode:
    name: str
    saturation_sagas: int  # run in a closed loop (benchmarks.phases.IN_FLIGHT at a time)
    load_seconds: float  # window of each fixed offered load
    loads: tuple[float, ...]  # offered loads, sagas per second
    seeds: tuple[int, ...]  # finished sagas already in the stores (cost growth)
    full_postgresql: bool  # every phase on PostgreSQL too (quick: saturation and 25/s)
    memory_sagas: int  # sagas run for the RSS figure (0: what the other phases ran)
    baseline_items: int  # chains and celery-saga sagas at saturation
    noop_tasks: int
    crash_seconds: float  # each crash-loop window: none killed, then one every 10 s
    start_repeats: int  # reactor starts measured for each case (the median is reported)
    lost_copies: int  # copies a reactor loses before a catch-up start
    half_seconds: float  # the window at half of the measured capacity (ours and the chain's)


QUICK = Mode(
    name="quick",
    saturation_sagas=60,
    load_seconds=2.0,
    loads=(10.0, 25.0, 50.0),
    seeds=(0, 10_000),
    full_postgresql=False,
    memory_sagas=0,
    baseline_items=200,
    noop_tasks=1500,
    crash_seconds=40.0,
    start_repeats=3,
    lost_copies=200,
    half_seconds=6.0,
)
# The long mode: the same loads and lost copies, more of everything else.
LONG = replace(
    QUICK,
    name="long",
    saturation_sagas=500,
    load_seconds=20.0,
    seeds=(0, 10_000, 100_000),
    full_postgresql=True,
    memory_sagas=10_000,
    baseline_items=1500,
    noop_tasks=10_000,
    crash_seconds=120.0,
    half_seconds=20.0,
    start_repeats=5,
)
