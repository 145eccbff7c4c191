"""Every phase on one store kind: warm-up, saturation, fixed loads, cost growth with
finished sagas seeded into the stores, and the workers' memory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks import reactor_start
from benchmarks.crashloop import run_crash_loop
from benchmarks.phases import run_phase
from benchmarks.platform_run import PlatformRun, services
from benchmarks.seed import Template, hold_copies
from benchmarks.settings import Mode
from benchmarks.stores import databases
from benchmarks.workers import rss
from messaging.dead_letters import count_parked

WARMUP = 20  # also the templates the seeded sagas are cloned from
HALF_MIN = 30  # sagas at half capacity, at least (a p99 of fewer is their maximum)
# Cost growth compares p99 at a load below capacity: above it, p99 is the queue's length.
GROWTH_RATE = 10.0


def _seed(templates: dict[str, Template], first: int, clones: int) -> dict[str, Any]:
    start = time.monotonic()
    rows = sum(template.insert_clones(first, clones) for template in templates.values())
    heads = templates["orchestrator"].heads  # subscription -> its head past the clones
    for service, template in templates.items():
        name = service.removeprefix("reactor.")
        if service.startswith("reactor.") and name in heads:
            hold_copies(template.engine, heads[name])
    return {"rows": rows, "seconds": round(time.monotonic() - start, 1)}


def _at_half_capacity(run: PlatformRun, saturation: dict[str, Any], mode: Mode) -> dict[str, Any]:
    """Latency below saturation: half the capacity just measured (the chain is paced at
    the same rate afterwards, benchmarks/baselines.py)."""
    half = saturation["sagas_per_s"] / 2
    count = max(HALF_MIN, round(half * mode.half_seconds))
    return run_phase(run, "half", count, half)


def _started(run: PlatformRun) -> dict[str, Any]:
    started = time.monotonic()
    run.start()
    return {
        "processes": sorted(run.processes.processes),
        "start_seconds": round(time.monotonic() - started, 1),
    }


def run_store(
    kind: str, mode: Mode, workdir: Path, full: bool, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """``env``: set for every process of the platform (benchmarks.platform_run.tree_env)."""
    out: dict[str, Any] = {"kind": kind}
    with databases(kind, "platform", services(), workdir / "stores") as urls:
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        run = PlatformRun(kind, urls, workdir / "logs", extra_env=dict(env or {}))
        out.update(_started(run))
        try:
            out["warmup"] = run_phase(run, "warm", WARMUP, None)
            templates = {s: Template.capture(run.writer(s)) for s in urls}
            per_clone = templates["orchestrator"].sagas()
            out["saturation"] = run_phase(run, "sat", mode.saturation_sagas, None)
            processed = WARMUP + mode.saturation_sagas
            out["half"] = _at_half_capacity(run, out["saturation"], mode)
            processed += out["half"]["submitted"]
            rss_start = rss(run.processes)
            loads = mode.loads if full else (25.0,)
            out["loads"] = {}
            for rate in loads:
                phase = run_phase(run, f"r{rate:g}", round(rate * mode.load_seconds), rate)
                out["loads"][f"{rate:g}"] = phase
                processed += phase["submitted"]
            growth_count = round(GROWTH_RATE * max(mode.load_seconds, 6.0))
            seeds = mode.seeds[1:] if full or kind == "sqlite" else ()
            if seeds:
                empty = run_phase(run, "g0", growth_count, GROWTH_RATE)
                processed += empty["submitted"]
                out["growth"] = {"0": {"saturation": out["saturation"], "load": empty}}
            seeded, number = 0, 1
            for target in seeds:
                clones = (target - seeded) // max(1, per_clone)
                seeding = _seed(templates, number, clones)
                number += clones
                seeded += clones * per_clone
                sat = run_phase(run, f"sat{target}", mode.saturation_sagas, None)
                load = run_phase(run, f"g{target}", growth_count, GROWTH_RATE)
                processed += sat["submitted"] + load["submitted"]
                out["growth"][str(target)] = {
                    "seeded": seeded,
                    "seeding": seeding,
                    "saturation": sat,
                    "load": load,
                }
            memory_rounds = []
            before_rounds = rss(run.processes)
            for i in range(mode.memory_sagas // 1000):
                phase = run_phase(run, f"mem{i}", 1000, None)
                processed += phase["submitted"]
                memory_rounds.append(
                    {
                        "processed": processed,
                        "sagas_per_s": phase["sagas_per_s"],
                        "rss": rss(run.processes),
                    }
                )
            out["memory"] = {
                "after_saturation": rss_start,
                "before_rounds": before_rounds,
                "rounds": memory_rounds,
                "end": rss(run.processes),
                "sagas_between": processed - WARMUP - mode.saturation_sagas,
            }
            if full:  # last: restarts and kills change the processes measured above
                out["reactor_start"] = reactor_start.measure(
                    run, mode.start_repeats, mode.lost_copies
                )
                out["crash_loop"] = run_crash_loop(run, out["saturation"], mode.crash_seconds)
            # none in a run of ours: messages of another platform on our Redis DB land here
            out["parked"] = {s: count_parked(engine) for s, engine in run.engines.items()}
        finally:
            run.stop()
    return out
