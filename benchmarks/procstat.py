"""CPU time and resident memory of process groups, read from /proc."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    pgid: int
    cpu_seconds: float  # utime + stime, plus what its reaped children used


def _read(stat: Path) -> ProcInfo | None:
    try:
        text = stat.read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ProcInfo(int(stat.parent.name), int(fields[1]), int(fields[2]), ticks / TICK)


def processes_of(pgids: Iterable[int]) -> list[ProcInfo]:
    """Every live process in these process groups (a worker and its pool children)."""
    wanted = set(pgids)
    found = (_read(stat) for stat in Path("/proc").glob("[0-9]*/stat"))
    return [info for info in found if info is not None and info.pgid in wanted]


def cpu_by_group(pgids: Iterable[int]) -> dict[int, float]:
    totals: dict[int, float] = {}
    for info in processes_of(pgids):
        totals[info.pgid] = totals.get(info.pgid, 0.0) + info.cpu_seconds
    return totals


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far, all cores (/proc/stat: every
    field but idle and iowait; guest time is already in user)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields)
    return (user + nice + system + irq + softirq + steal) / TICK
