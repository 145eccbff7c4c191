"""python -m benchmarks.profile [--store sqlite|postgresql] [--sagas N]: where each
process of the platform spends its CPU at saturation, sampled by py-spy (``--gil``: the
thread running Python, so a wait on a socket or a disk is not counted, but the C code
called with the GIL held, SQLite's for one, is).

The platform is started as for ``python -m benchmarks`` (every Procfile line but Flower and
the web view), warmed up, then ``N`` sagas run in a closed loop while py-spy samples every
process (``--nonblocking``: it never stops the process it reads). For each process it
prints its CPU per saga, then the share of its samples by library of the innermost frame
(where the time is spent: SQL, the broker client, Celery, pydantic, JSON, logging, ours),
and the frames that hold the most samples, inclusive (where the time is spent from). The
raw profiles (py-spy's collapsed stacks, one file per process) stay in the work directory,
printed first.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.phases import run_phase
from benchmarks.platform_run import PlatformRun, services, tree_env
from benchmarks.stores import databases

WARMUP = 20
IDLE = frozenset({"select", "poll", "epoll_wait", "wait", "_wait", "sleep"})
# The library a frame's file belongs to, by the first match in its path.
LIBRARIES = (
    ("/sqlite3/", "SQL driver (sqlite3)"),
    ("/psycopg", "SQL driver (psycopg)"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/kombu/", "kombu"),
    ("/redis/", "redis-py"),
    ("/amqp/", "py-amqp"),
    ("/celery/", "Celery"),
    ("/billiard/", "Celery"),
    ("/vine/", "Celery"),
    ("/pydantic", "pydantic"),
    ("/json/", "JSON"),
    ("/structlog/", "logging"),
    ("/logging/", "logging"),
    ("/opentelemetry/", "tracing"),
    ("/socket.py", "sockets"),
    ("/selectors.py", "sockets"),
    ("/ssl.py", "sockets"),
    ("/messaging/", "ours"),
    ("/orchestrator/", "ours"),
    ("/participants/", "ours"),
    ("/reactors/", "ours"),
    ("/sagas/", "ours"),
)


@dataclass(frozen=True)
class Profile:
    """One process's collapsed stacks: each stack (outermost first) and its samples."""

    stacks: Counter[tuple[str, ...]]

    @classmethod
    def read(cls, path: Path) -> Profile:
        stacks: Counter[tuple[str, ...]] = Counter()
        if path.exists():
            for line in path.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if stack and count.isdigit():
                    stacks[tuple(stack.split(";"))] += int(count)
        return cls(stacks)

    def busy(self) -> Counter[tuple[str, ...]]:
        """Stacks that were running, not waiting for the broker or a timer (py-spy's
        ``--idle`` is off, but a thread in a C call that holds no GIL can still show)."""
        return Counter({s: n for s, n in self.stacks.items() if _function(s[-1]) not in IDLE})

    def by_library(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for stack, count in self.busy().items():
            found[library(stack)] += count
        return found

    def inclusive(self) -> Counter[str]:
        """Samples under each frame (function and file, not line), counted once per stack."""
        found: Counter[str] = Counter()
        for stack, count in self.busy().items():
            for frame in {_without_line(f) for f in stack}:
                found[frame] += count
        return found


def _function(frame: str) -> str:
    return frame.split(" (", 1)[0]


def _without_line(frame: str) -> str:
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    return f"{name} ({_short(path)})"


def _short(path: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    for top in ("messaging/", "orchestrator/", "participants/", "reactors/", "sagas/"):
        if top in path:
            return top + path.split(top, 1)[1]
    return path


def library(stack: tuple[str, ...]) -> str:
    """The library of the innermost frame that has a file we know (C frames have none)."""
    for frame in reversed(stack):
        path = "/" + frame.partition(" (")[2]  # py-spy names files from sys.path's entry
        for marker, name in LIBRARIES:
            if marker in path:
                return name
    return "other"


def record(pid: int, out: Path) -> subprocess.Popen[bytes]:
    argv = [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--nonblocking",
        "--gil",  # only the thread holding the GIL: Python's CPU, not its waits on sockets
        "--rate",
        "100",
        "--output",
        str(out),
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def stop(recorders: Iterable[subprocess.Popen[bytes]]) -> None:
    recorders = list(recorders)
    for recorder in recorders:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
    for recorder in recorders:
        try:
            recorder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait(timeout=10)


def summary(name: str, profile: Profile, cpu_ms: float, top: int) -> str:
    busy = sum(profile.busy().values())
    lines = [f"\n## {name}: {cpu_ms:.1f} ms of CPU per saga, {busy} samples"]
    if not busy:
        return "\n".join(lines)
    shares = ", ".join(
        f"{lib} {count / busy:.0%}" for lib, count in profile.by_library().most_common()
    )
    lines.append(f"by library (innermost frame): {shares}")
    lines.append("frames, inclusive:")
    for frame, count in profile.inclusive().most_common(top):
        lines.append(f"  {count / busy:5.1%}  {frame}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sagas", type=int, default=300, help="sagas at saturation")
    parser.add_argument("--top", type=int, default=40, help="frames listed per process")
    parser.add_argument("--only", help="processes to list, comma-separated (all sampled)")
    parser.add_argument("--tree", help="run the platform from this source tree (before/after)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix=f"profile-{args.store}-"))
    print(f"profiles in {workdir}", flush=True)
    with databases(args.store, "platform", services(), workdir / "stores") as urls:
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        run = PlatformRun(args.store, urls, workdir / "logs", extra_env=tree_env(args.tree))
        run.start()
        try:
            run_phase(run, "warm", WARMUP, None)
            pids = {name: p.pid for name, p in run.processes.processes.items()}
            recorders = [record(pid, workdir / f"{name}.txt") for name, pid in pids.items()]
            time.sleep(1.0)  # py-spy attaches
            phase = run_phase(run, "sat", args.sagas, None)
            stop(recorders)
        finally:
            run.stop()
    print(
        f"{args.store}: {phase['completed']} of {args.sagas} sagas completed,"
        f" {phase['sagas_per_s']:.1f} sagas/s, {phase['cpu_ms_per_saga']:.1f} ms CPU per saga"
        " (py-spy's own sampling adds a little)"
    )
    by_process = phase["cpu_ms_per_saga_by_process"]
    wanted = set(args.only.split(",")) if args.only else None
    for name in sorted(pids, key=lambda n: -by_process.get(n, 0.0)):
        if wanted is None or name in wanted:
            profile = Profile.read(workdir / f"{name}.txt")
            print(summary(name, profile, by_process.get(name, 0.0), args.top))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
