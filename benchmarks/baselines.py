"""Run the three baselines as real worker processes: no-op tasks, the plain chain (one
set of workers per store kind) and celery-saga, one after the other."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import redis

from benchmarks import celery_saga_baseline, chain_baseline, noop_baseline
from benchmarks.baseline_app import done_rows, reader
from benchmarks.load import closed_loop, paced, wait_for_all, wait_until
from benchmarks.phases import IN_FLIGHT
from benchmarks.settings import BASELINE_BROKER, CELERY_SAGA_BROKER, Mode
from benchmarks.stats import batch_rate, summary_ms
from benchmarks.stores import databases
from benchmarks.workers import cpu_delta, cpu_seconds, flush
from devtools.launcher import Platform, platform_env

CSAGA_STEPS = ("reserve", "charge", "ship")


def commands(kinds: Sequence[str]) -> dict[str, str]:
    found = {
        "noop": f"celery -A benchmarks.noop_baseline worker -Q {noop_baseline.QUEUE} "
        "-n bench-noop@%h -c 2 --loglevel INFO",
        "csaga": f"celery -A benchmarks.celery_saga_baseline worker -Q {celery_saga_baseline.QUEUE}"
        " -n bench-csaga@%h -c 3 --loglevel INFO",
    }
    for kind in kinds:
        for step in chain_baseline.STEPS:
            found[f"chain-{kind}-{step}"] = (
                f"celery -A benchmarks.chain_baseline worker -Q {chain_baseline.queue(kind, step)}"
                f" -n bench-chain-{kind}-{step}@%h -c 1 --loglevel INFO"
            )
    return found


def measure_noop(platform: Platform, count: int) -> dict[str, Any]:
    client = noop_baseline.app
    broker = redis.Redis.from_url(BASELINE_BROKER)
    before = cpu_seconds(platform)
    start = time.time()
    for _ in range(count):
        client.send_task("bench.noop", queue=noop_baseline.QUEUE)

    def drained() -> bool:
        return broker.llen(noop_baseline.QUEUE) == 0 and broker.hlen("unacked") == 0

    wait_until(drained, timeout=120, interval=0.02)
    elapsed = time.time() - start
    cpu = cpu_delta(before, cpu_seconds(platform))["noop"]
    broker.close()
    return {"tasks": count, "tasks_per_s": count / elapsed, "cpu_ms_per_task": cpu / count * 1000}


Submit = Callable[[str], str]  # sends one item, returns the key its completion is found by
# (sagas per second, sagas) the platform ran at half its capacity, per store kind: the
# chain is paced the same way, for the p99 comparison at the same rate
HalfRates = Mapping[str, tuple[float, int]]
Finished = Callable[[list[str]], dict[str, float]]  # key -> completion wall time


def _complete(
    finished: Finished, keys: list[str], times: list[float], timeout: float
) -> tuple[dict[str, float], list[float]]:
    wait_for_all(lambda: len(finished(keys)), len(keys), stall=timeout, interval=0.25)
    done = finished(keys)
    latencies = [done[k] - t for k, t in zip(keys, times, strict=True) if k in done]
    return done, latencies


def saturation_and_load(
    platform: Platform, names: Sequence[str], submit: Submit, finished: Finished, mode: Mode
) -> dict[str, Any]:
    """Saturation as for the platform (a closed loop), then 25 per second (latency)."""
    items = [f"b-{uuid.uuid4().hex[:12]}" for _ in range(mode.baseline_items)]
    before = cpu_seconds(platform)
    keys: list[str] = []
    times = closed_loop(
        lambda i: keys.append(submit(items[i])),
        lambda: len(finished(keys)),
        len(items),
        IN_FLIGHT,
        stall=15,
    )
    done, latencies = _complete(finished, keys, times, timeout=15)
    used = cpu_delta(before, cpu_seconds(platform))
    cpu = sum(used[name] for name in names)
    figures: dict[str, Any] = {
        "items": len(items),
        "completed": len(done),
        "per_s": batch_rate(times, list(done.values())),
        "cpu_ms_per_item": cpu / max(1, len(done)) * 1000,
        "saturation_latency": summary_ms(latencies),
    }
    paced_items = [f"p-{uuid.uuid4().hex[:12]}" for _ in range(round(25 * mode.load_seconds))]
    keys = []
    times = paced(lambda i: keys.append(submit(paced_items[i])), 25, mode.load_seconds)
    _, latencies = _complete(finished, keys, times, timeout=15)
    figures["latency_at_25"] = summary_ms(latencies)
    return figures


def paced_latency(submit: Submit, finished: Finished, rate: float, count: int) -> dict[str, Any]:
    """``count`` items in an open loop at ``rate`` per second: their latency."""
    items = [f"h-{uuid.uuid4().hex[:12]}" for _ in range(count)]
    keys: list[str] = []
    times = paced(lambda i: keys.append(submit(items[i])), rate, count / rate)
    done, latencies = _complete(finished, keys, times, timeout=15)
    return {"rate": rate, "items": count, "completed": len(done), **summary_ms(latencies)}


def _chain(
    platform: Platform, kind: str, url: str, mode: Mode, half: tuple[float, int] | None
) -> dict[str, Any]:
    last = reader(url)  # the third step's store: a chain is done when its row is there

    def submit(item: str) -> str:
        chain_baseline.submit(item, kind)
        return item

    def finished(keys: list[str]) -> dict[str, float]:
        return {row.item_id: row.done_at for row in done_rows(last, keys)}

    try:
        names = [f"chain-{kind}-{step}" for step in chain_baseline.STEPS]
        figures = saturation_and_load(platform, names, submit, finished, mode)
        if half is not None:
            figures["latency_at_half"] = paced_latency(submit, finished, *half)
        return figures
    finally:
        last.dispose()


def _celery_saga(platform: Platform, kind: str, mode: Mode) -> dict[str, Any]:
    client = redis.Redis.from_url(CELERY_SAGA_BROKER)
    try:
        return saturation_and_load(
            platform,
            ["csaga"],
            lambda item: celery_saga_baseline.submit(item, kind),
            lambda keys: celery_saga_baseline.finished_at(client, keys),
            mode,
        )
    finally:
        client.close()


def run(
    mode: Mode,
    kinds: Sequence[str],
    saga_kinds: Sequence[str],
    workdir: Path,
    half_rates: HalfRates | None = None,
) -> dict[str, Any]:
    """Baselines on each store kind; celery-saga's steps on ``saga_kinds``; the chain
    also at each kind's ``half_rates``."""
    flush(BASELINE_BROKER, CELERY_SAGA_BROKER)
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        env: dict[str, str] = {}
        urls: dict[str, dict[str, str]] = {}
        for kind in kinds:
            steps = (*chain_baseline.STEPS, *CSAGA_STEPS)
            urls[kind] = stack.enter_context(databases(kind, "baseline", steps, workdir / kind))
            for step in chain_baseline.STEPS:
                env[chain_baseline.store_env(kind, step)] = urls[kind][step]
            for step in CSAGA_STEPS:
                env[celery_saga_baseline.store_env(kind, step)] = urls[kind][step]
        every = commands(kinds)
        chains = Platform(
            {n: c for n, c in every.items() if n != "csaga"}, platform_env(env), workdir
        )
        peer = Platform({"csaga": every["csaga"]}, platform_env(env), workdir)
        for group in (chains, peer):
            group.start()
            stack.callback(group.stop)
        chains.wait_until_ready(BASELINE_BROKER, timeout=120)
        peer.wait_until_ready(CELERY_SAGA_BROKER, timeout=120)
        results["noop"] = measure_noop(chains, mode.noop_tasks)
        for kind in kinds:
            half = (half_rates or {}).get(kind)
            results[f"chain_{kind}"] = _chain(chains, kind, urls[kind]["c"], mode, half)
        for kind in saga_kinds:
            results[f"celery_saga_{kind}"] = _celery_saga(peer, kind, mode)
    return results
