"""Worker processes of a benchmark run, started like the platform's (messaging.launcher),
with their CPU time and memory read from /proc."""

from __future__ import annotations

import redis

from benchmarks.procstat import cpu_by_group, processes_of, rss_mib
from messaging.launcher import Platform


def flush(*urls: str) -> None:
    """Empty our own Redis databases, before any worker uses them (never under one)."""
    for url in urls:
        with redis.Redis.from_url(url) as client:
            client.flushdb()


def cpu_seconds(platform: Platform) -> dict[str, float]:
    """CPU seconds used so far by each process of ``platform``, pool children included."""
    by_pid = {proc.pid: name for name, proc in platform.processes.items()}
    return {by_pid[pgid]: cpu for pgid, cpu in cpu_by_group(by_pid).items() if pgid in by_pid}


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after}


def rss(platform: Platform) -> dict[str, list[float]]:
    """Resident MiB of each process: the main process first, then its pool children."""
    by_pid = {proc.pid: name for name, proc in platform.processes.items()}
    found: dict[str, list[float]] = {name: [] for name in platform.processes}
    for info in sorted(processes_of(by_pid), key=lambda i: (i.pid != i.pgid, i.pid)):
        found[by_pid[info.pgid]].append(round(rss_mib(info.pid), 1))
    return found
