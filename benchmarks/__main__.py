"""python -m benchmarks [--long]: baselines, then the platform on SQLite and PostgreSQL;
prints the figures table and writes var/bench/results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import redis

from benchmarks import baselines, handler_cost, report
from benchmarks.platform_run import tree_env
from benchmarks.settings import LONG, PLATFORM_BROKER, QUICK, STORES
from benchmarks.store_run import run_store


def machine() -> dict[str, Any]:
    with redis.Redis.from_url(PLATFORM_BROKER) as client:
        redis_version = client.info("server")["redis_version"]
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True
    )
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "redis": redis_version,
        "load_average_at_start": os.getloadavg(),
        "commit": git.stdout.strip(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--long", action="store_true", help="longer windows, 100,000 seeded")
    parser.add_argument("--out", type=Path, default=Path("var/bench/results.json"))
    parser.add_argument("--keep", action="store_true", help="keep the logs and SQLite files")
    parser.add_argument(
        "--tree",
        help="run the platform's processes from this source tree (a git worktree of another"
        " commit), for before/after figures in one sitting; the baselines are this tree's",
    )
    parser.add_argument(
        "--seeds", help="finished sagas to seed for cost growth, e.g. 10000,100000 (mode's own)"
    )
    args = parser.parse_args(argv)
    mode = LONG if args.long else QUICK
    if args.seeds:
        mode = replace(mode, seeds=(0, *(int(n) for n in args.seeds.split(","))))
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{mode.name}-"))
    started = time.monotonic()
    results: dict[str, Any] = {"mode": mode.name, "machine": machine(), "workdir": str(workdir)}
    results["platform_tree"] = args.tree or "."
    print(f"benchmarks, {mode.name} mode; logs in {workdir}", flush=True)
    try:
        saga_kinds = STORES if mode.full_postgresql else STORES[:1]
        # The platform first: the chain is then paced at half the platform's capacity.
        results["platform"] = {}
        for kind in STORES:
            full = mode.full_postgresql or kind == "sqlite"
            env = tree_env(args.tree)
            results["platform"][kind] = run_store(kind, mode, workdir / kind, full, env)
            print(f"platform on {kind} done at {time.monotonic() - started:.0f}s", flush=True)
        half_rates = {
            kind: (run["half"]["offered_per_s"], run["half"]["submitted"])
            for kind, run in results["platform"].items()
        }
        results["baselines"] = baselines.run(
            mode, STORES, saga_kinds, workdir / "baselines", half_rates
        )
        print(f"baselines done at {time.monotonic() - started:.0f}s", flush=True)
        results["handler_cost"] = handler_cost.run(STORES, 1500, workdir / "handler")
    finally:
        results["seconds"] = round(time.monotonic() - started, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, default=str))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report.table(results))
    print(f"\n{mode.name} mode took {results['seconds']:.0f}s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
