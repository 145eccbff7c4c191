"""The CPU cost of one reactor start (issue 10): the ``saga-reactor`` process from exec
until it answers a ping (ready), (a) when it lost nothing, (b) when copies sent while it
was down were lost (its Redis list deleted: the dispatcher's check finds them missing
and sends exactly those again), until its store holds them all, and (c) as (a) with
Celery's mingle and gossip on. Meanwhile: the CPU of the ``events`` dispatcher and of the
orchestrator worker, less what they use idle (measured first, with the same pings)."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import select

from benchmarks import saga_figures as figures
from benchmarks.crashloop import READY_TIMEOUT, wait_ready
from benchmarks.load import closed_loop, wait_until
from benchmarks.phases import IN_FLIGHT, STALL
from benchmarks.platform_run import PlatformRun
from benchmarks.settings import PLATFORM_BROKER
from benchmarks.workers import cpu_seconds
from devtools.launcher import worker_node
from orchestrator.event_tables import subscriptions

REACTOR = "email"
PROCESS = f"reactor-{REACTOR}"  # its Procfile line
WATCHED = ("events", "orchestrator")
IDLE_SECONDS = 3.0
CATCH_UP_TIMEOUT = 120.0
PRIORITY_SEP = "\x06\x16"  # kombu's Redis transport: "<queue>\x06\x16<priority>" lists


def idle_rates(run: PlatformRun) -> dict[str, float]:
    """CPU seconds per second of the watched processes with nothing to do but the pings
    wait_ready sends (to a node that never answers here)."""
    before, start = cpu_seconds(run.processes), time.monotonic()
    wait_ready("nobody@nowhere", IDLE_SECONDS)
    after, wall = cpu_seconds(run.processes), time.monotonic() - start
    return {name: (after[name] - before[name]) / wall for name in WATCHED}


def one_start(
    run: PlatformRun,
    idle: dict[str, float],
    done: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Start the (stopped) reactor; CPU to ready and, with ``done``, to done."""
    platform = run.processes
    node = worker_node(platform.commands[PROCESS]) or ""
    log = platform.log_dir / f"{PROCESS}.log"
    offset = log.stat().st_size if log.exists() else 0
    before, start = cpu_seconds(platform), time.monotonic()
    platform.start([PROCESS])

    def now() -> tuple[dict[str, float], float]:
        return cpu_seconds(platform), time.monotonic() - start

    ready = wait_ready(node, READY_TIMEOUT, (log, offset), now)
    cpu, wall = ready.snapshot if ready is not None else now()
    result = {"ready": _window(before, cpu, wall, idle)}
    result["ready"].update(
        ready=ready is not None,
        ping_s=None if ready is None else ready.ping_s,
        log_s=None if ready is None else ready.log_s,
    )
    if done is not None:
        finished = wait_until(done, CATCH_UP_TIMEOUT, interval=0.1)
        result["done"] = _window(before, cpu_seconds(platform), time.monotonic() - start, idle)
        result["done"]["finished"] = finished
    return result


def _window(
    before: dict[str, float], after: dict[str, float], wall: float, idle: dict[str, float]
) -> dict[str, Any]:
    out: dict[str, Any] = {"seconds": round(wall, 2), "reactor_cpu_s": after.get(PROCESS, 0.0)}
    for name in WATCHED:
        used = after[name] - before[name]
        out[f"{name}_cpu_s"] = used
        out[f"{name}_above_idle_cpu_s"] = used - idle[name] * wall
    return out


def _head(run: PlatformRun) -> int:
    with run.engines["orchestrator"].begin() as conn:
        query = select(subscriptions.c.head).where(subscriptions.c.name == REACTOR)
        return int(conn.execute(query).scalar_one_or_none() or 0)


def lose_copies(run: PlatformRun, label: str, count: int) -> tuple[list[str], int]:
    """With the reactor stopped: ``count`` sagas, their copies sent to its queue, and the
    queue deleted. Returns the event ids it must catch up on, and the copies deleted."""
    orchestrator = run.engines["orchestrator"]
    head = _head(run)
    ids = run.new_ids(label, count)
    closed_loop(
        lambda i: run.submit(ids[i], i),
        lambda: len(figures.ended(orchestrator, ids)),
        count,
        IN_FLIGHT,
        STALL,
    )
    wait_until(lambda: len(figures.ended(orchestrator, ids)) >= count, STALL)
    saga_ids = [e.saga_id for e in figures.ended(orchestrator, ids).values()]
    events = list(figures.events_of(orchestrator, saga_ids))
    wait_until(lambda: _head(run) >= head + len(events), STALL)  # the dispatcher sent them
    queue = f"reactor.{REACTOR}"
    keys = [queue, *(f"{queue}{PRIORITY_SEP}{p}" for p in range(1, 10))]
    with redis.Redis.from_url(PLATFORM_BROKER) as conn:
        deleted = sum(int(conn.llen(key)) for key in keys)
        conn.delete(*keys)
    return events, deleted


def _median(starts: list[dict[str, Any]], window: str) -> dict[str, float | None]:
    """Of each figure, over the starts that have it (a ping may have gone unanswered)."""
    out: dict[str, float | None] = {}
    for key in starts[0][window]:
        values = [s[window][key] for s in starts]
        if all(isinstance(v, float | None) for v in values):  # not the booleans
            found = [v for v in values if v is not None]
            out[key] = statistics.median(found) if found else None
    return out


def measure(run: PlatformRun, repeats: int, lost: int) -> dict[str, Any]:
    platform = run.processes
    original = platform.commands[PROCESS]
    out: dict[str, Any] = {"reactor": REACTOR, "repeats": repeats, "lost": lost}
    try:
        out["idle_cpu_per_s"] = idle = idle_rates(run)
        plain = []
        for _ in range(repeats):
            platform.stop_one(PROCESS)
            plain.append(one_start(run, idle))
        out["nothing_lost"] = {"starts": plain, "median": _median(plain, "ready")}
        # mingle and gossip on: the same reactor through a wrapper that keeps them
        platform.commands[PROCESS] = original.replace(
            "saga-reactor", f"{sys.executable} -m benchmarks.reactor_with_mingle", 1
        )
        mingle = []
        for _ in range(repeats):
            platform.stop_one(PROCESS)
            mingle.append(one_start(run, idle))
        platform.stop_one(PROCESS)
        platform.commands[PROCESS] = original  # started again below, with lost copies
        out["mingle_gossip"] = {"starts": mingle, "median": _median(mingle, "ready")}
        caught = []
        for i in range(repeats):
            platform.stop_one(PROCESS)
            events, deleted = lose_copies(run, f"lost{i}", lost)
            engine = run.engines[f"reactor.{REACTOR}"]

            def holds_all(engine: Any = engine, events: list[str] = events) -> bool:
                return len(figures.taken(engine, events)) >= len(events)

            start = one_start(run, idle, holds_all)
            caught.append({**start, "events": len(events), "deleted": deleted})
        out["catch_up"] = {
            "starts": caught,
            "median": _median(caught, "ready"),
            "median_done": _median(caught, "done"),
        }
    finally:  # leave the reactor running as the Procfile says, whatever happened
        if platform.commands[PROCESS] != original or platform.processes[PROCESS].poll() is not None:
            platform.commands[PROCESS] = original
            platform.stop_one(PROCESS)
            platform.start([PROCESS])
            wait_ready(worker_node(original) or "", READY_TIMEOUT)
    return out
