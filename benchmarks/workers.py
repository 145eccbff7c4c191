"""Worker processes of a benchmark run, started like the platform's (devtools.launcher),
with their CPU time and memory read from /proc."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import redis

from benchmarks.procstat import cpu_by_group, processes_of, rss_mib
from devtools.launcher import Platform


class DatabaseInUse(RuntimeError):
    """Another program is connected to a Redis database the benchmark is about to use."""


def own_ports() -> set[int]:
    """Local TCP ports of this process's sockets (its own Redis connections, e.g. a
    result backend's pool that Celery's close() leaves open, are no other run's)."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def flush(*urls: str) -> None:
    """Empty our own Redis databases, before any worker uses them (never under one: if
    anything else is connected to one, e.g. a test run moved onto our numbers with
    SAGA_TEST_REDIS_DBS, refuse, rather than wreck it and measure its traffic)."""
    for url in urls:
        with redis.Redis.from_url(url) as client:
            db = int(client.connection_pool.connection_kwargs.get("db", 0))
            client.ping()  # connected now, so its own port is among ours
            mine = own_ports()
            others = [
                c
                for c in client.client_list()
                if int(c["db"]) == db and int(c["addr"].rsplit(":", 1)[1]) not in mine
            ]
            if others:
                names = sorted({c.get("name") or c["addr"] for c in others})[:5]
                raise DatabaseInUse(
                    f"Redis DB {db} has {len(others)} other connection(s) ({', '.join(names)}):"
                    " another run is using it; stop it or point BENCH_REDIS elsewhere"
                )
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
