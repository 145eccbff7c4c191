"""python -m benchmarks.levers --config NAME=VAR=VALUE[,VAR=VALUE] ... : what one setting
or one build buys, alone, measured back to back on a fresh platform each time.

Each ``--config`` is a name and the environment its processes get over the benchmark's
own (``events-always=SAGA_TASK_EVENTS=always``), or a name and a source tree to run
instead of this one (``before@/tmp/wt-before``: a ``git worktree`` of an older commit,
put first on the processes' PYTHONPATH). Every round runs each configuration once, in
turn, reversed every other round (A B, B A, ...), so a machine that speeds up or slows
down during the run weighs on each alike. Figures: sagas per second at saturation (a
closed loop, as in ``python -m benchmarks``) and CPU ms per saga, all processes and the
orchestrator's; the median over the rounds, and each round's. With ``--rate`` the sagas
are offered at that rate instead (an open loop) and the figures are latencies: p50, p95
and p99 end to end, each round's, and over every round's sagas together.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.phases import run_phase
from benchmarks.platform_run import PlatformRun, services, tree_env
from benchmarks.stats import summary_ms
from benchmarks.stores import databases

WARMUP = 20


@dataclass(frozen=True)
class Config:
    name: str
    env: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> Config:
        if "@" in text and "=" not in text.split("@", 1)[0]:
            name, tree = text.split("@", 1)
            return cls(name, tree_env(tree))
        name, _, assignments = text.partition("=")
        env = {}
        for assignment in filter(None, assignments.split(",")):
            variable, sep, value = assignment.partition("=")
            if not sep:
                raise SystemExit(f"--config {text}: expected NAME=VAR=VALUE[,VAR=VALUE]")
            env[variable] = value
        return cls(name, env)


def measure(
    config: Config, store: str, sagas: int, workdir: Path, rate: float | None = None
) -> dict[str, Any]:
    with databases(store, "platform", services(), workdir / "stores") as urls:
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        run = PlatformRun(store, urls, workdir / "logs", extra_env=config.env)
        run.start()
        try:
            run_phase(run, "warm", WARMUP, None)
            phase = run_phase(run, "sat" if rate is None else "paced", sagas, rate)
        finally:
            run.stop()
    by_process = phase["cpu_ms_per_saga_by_process"]
    return {
        "completed": phase["completed"],
        "sagas_per_s": phase["sagas_per_s"],
        "cpu_ms_per_saga": phase["cpu_ms_per_saga"],
        "orchestrator_cpu_ms": by_process.get("orchestrator", 0.0),
        "busy_outside": phase["busy_cores"] - phase["cpu_s"] / max(1e-9, phase["seconds"]),
        "latency": phase["latency"],
        "latencies_s": phase["latencies_s"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.levers", description=__doc__)
    parser.add_argument("--config", action="append", required=True, type=Config.parse)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sagas", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, help="sagas per second offered (latency)")
    args = parser.parse_args(argv)
    configs: list[Config] = args.config
    workdir = Path(tempfile.mkdtemp(prefix="levers-"))
    print(f"levers on {args.store}, {args.sagas} sagas, {args.rounds} rounds; in {workdir}")
    results: dict[str, list[dict[str, Any]]] = {c.name: [] for c in configs}
    for round_number in range(args.rounds):
        order = configs if round_number % 2 == 0 else list(reversed(configs))
        for config in order:
            where = workdir / f"{config.name}-{round_number}"
            figures = measure(config, args.store, args.sagas, where, args.rate)
            results[config.name].append(figures)
            lat = figures["latency"]
            print(
                f"round {round_number + 1} {config.name}: p50/p95/p99"
                f" {lat['p50_ms']:.1f}/{lat['p95_ms']:.1f}/{lat['p99_ms']:.1f} ms,"
                f" {figures['sagas_per_s']:.1f} sagas/s,"
                f" {figures['cpu_ms_per_saga']:.1f} ms CPU per saga (orchestrator"
                f" {figures['orchestrator_cpu_ms']:.1f}), {figures['completed']} completed,"
                f" {figures['busy_outside']:.2f} cores busy elsewhere",
                flush=True,
            )
    if args.rate is not None:
        print(f"\nconfiguration | p50/p95/p99 ms over all rounds at {args.rate:g}/s")
        for config in configs:
            every = [v for r in results[config.name] for v in r["latencies_s"]]
            lat = summary_ms(every)
            print(
                f"{config.name} | {lat['p50_ms']:.1f}/{lat['p95_ms']:.1f}/{lat['p99_ms']:.1f}"
                f" ({len(every)} sagas)"
            )
    first = configs[0].name
    base_cpu = statistics.median(r["cpu_ms_per_saga"] for r in results[first])
    base_rate = statistics.median(r["sagas_per_s"] for r in results[first])
    print(f"\nconfiguration | sagas/s | CPU ms per saga | orchestrator CPU ms | vs {first}")
    for config in configs:
        rows = results[config.name]
        rate = statistics.median(r["sagas_per_s"] for r in rows)
        cpu = statistics.median(r["cpu_ms_per_saga"] for r in rows)
        orch = statistics.median(r["orchestrator_cpu_ms"] for r in rows)
        print(
            f"{config.name} | {rate:.1f} | {cpu:.1f} | {orch:.1f} |"
            f" {rate / base_rate:.2f}x sagas/s, {cpu / base_cpu:.2f}x CPU"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
