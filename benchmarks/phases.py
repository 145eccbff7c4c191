"""One measured phase on the running platform: submit sagas (a burst or a fixed rate),
wait until they end and the reactors took their events, and compute the figures."""

from __future__ import annotations

from time import time
from typing import Any

from sqlalchemy import Engine

from benchmarks import saga_figures as figures
from benchmarks.load import closed_loop, paced, wait_for_all
from benchmarks.platform_run import PlatformRun
from benchmarks.procstat import machine_busy_seconds
from benchmarks.stats import batch_rate, summary_ms
from benchmarks.workers import cpu_delta, cpu_seconds

STALL = 20.0  # seconds without a saga ending before a phase gives up on the rest
IN_FLIGHT = 16  # sagas kept in the system at saturation


def run_phase(run: PlatformRun, label: str, count: int, rate: float | None) -> dict[str, Any]:
    """``rate`` None: saturation (a closed loop, IN_FLIGHT at a time); else an open loop of
    ``count`` sagas at ``rate`` per second."""
    ids = run.new_ids(label, count)
    orchestrator = run.engines["orchestrator"]
    before, busy_before, wall_before = cpu_seconds(run.processes), machine_busy_seconds(), time()
    if rate is None:
        times = closed_loop(
            lambda i: run.submit(ids[i], i),
            lambda: len(figures.ended(orchestrator, ids)),
            count,
            IN_FLIGHT,
            STALL,
        )
    else:
        times = paced(lambda i: run.submit(ids[i], i), rate, count / rate)
    ids = ids[: len(times)]
    wait_for_all(lambda: len(figures.ended(orchestrator, ids)), len(ids), STALL, interval=0.25)
    ended = figures.ended(orchestrator, ids)
    saga_ids = [e.saga_id for e in ended.values()]
    events = figures.events_of(orchestrator, saga_ids)
    lag: dict[str, list[float]] = {}
    event_ids = list(events)
    for reactor in run.reactors:
        engine = run.engines[reactor]

        def reactor_took(engine: Engine = engine) -> int:
            return len(figures.taken(engine, event_ids))

        wait_for_all(reactor_took, len(event_ids), 10.0)
        lag[reactor] = [at - events[e] for e, at in figures.taken(engine, event_ids).items()]
    used = cpu_delta(before, cpu_seconds(run.processes))
    busy, wall = machine_busy_seconds() - busy_before, time() - wall_before
    completed = [e for e in ended.values() if e.status == "completed"]
    submitted = dict(zip(ids, times, strict=True))
    latencies = [e.at - submitted[o] for o, e in ended.items() if e.status == "completed"]
    steps = figures.step_latencies(orchestrator, saga_ids)
    return {
        "label": label,
        "offered_per_s": rate,
        "submitted": count,
        "completed": len(completed),
        "not_completed": count - len(completed),
        "submit_per_s": count / max(1e-9, times[-1] - times[0]) if count > 1 else None,
        "sagas_per_s": batch_rate(times, [e.at for e in completed]),
        "latency": summary_ms(latencies),
        "latencies_s": [round(s, 5) for s in latencies],  # end to end, each completed saga
        "steps": {step: summary_ms(values) for step, values in steps.items()},
        "reactor_lag": {reactor: summary_ms(values) for reactor, values in lag.items()},
        "cpu_s": sum(used.values()),
        # the whole machine, in cores: what else ran (other programs, Redis, PostgreSQL,
        # this client) is busy_cores - cpu_s / seconds (a shared machine: read it first)
        "seconds": wall,
        "busy_cores": busy / max(1e-9, wall),
        "cpu_ms_per_saga": sum(used.values()) / max(1, len(completed)) * 1000,
        "cpu_ms_per_saga_by_process": {
            name: round(cpu / max(1, len(completed)) * 1000, 2) for name, cpu in used.items()
        },
    }
