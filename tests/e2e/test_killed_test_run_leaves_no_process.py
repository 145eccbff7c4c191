"""A test run killed midway (kill -9, pytest-timeout's os._exit) leaves no process of its
platform behind: the launcher's reaper kills every process group it started."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from devtools.launcher import Platform, platform_env
from tests.platform import ROOT

# The "test run": a Platform of two processes, one restarted from a helper thread that
# then ends (a parent-death signal would fire there), and the chaos test's own Redis.
CHILD = """
import sys, threading, time
from pathlib import Path
from devtools.launcher import Platform, platform_env
from devtools.redis_server import RedisServer

directory = Path(sys.argv[1])
platform = Platform({"one": "sleep 300", "two": "sleep 300"}, platform_env({}), directory)
platform.start()
platform.kill("two")
restarter = threading.Thread(target=platform.start, args=(["two"],))
restarter.start()
restarter.join()
redis_server = RedisServer(directory / "redis", durable=True)
redis_server.start()
pids = [p.pid for p in platform.processes.values()] + [redis_server.process.pid]
print(*pids, flush=True)
time.sleep(300)
"""


def living(groups: set[int]) -> set[int]:
    """The process groups among ``groups`` that still have a live (non-zombie) process."""
    alive = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, pgid = stat.read_text().rpartition(")")[2].split()[:3]
            if int(pgid) in groups and state != "Z":
                alive.add(int(pgid))
    return alive


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_killing_the_process_that_started_a_platform_kills_the_platform(tmp_path: Path) -> None:
    groups: set[int] = set()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        try:
            ready, _, _ = select.select([child.stdout], [], [], 60)
            assert ready, "the child printed no pids within 60 s"
            groups = {int(pid) for pid in child.stdout.readline().split()}
            assert len(groups) == 3, f"expected two sleeps and a redis-server: {groups}"
            assert living(groups) == groups, "a process ended before its starter did"

            child.kill()
            child.wait(timeout=10)

            gone = wait_until(lambda: not living(groups), timeout=10)
            left = living(groups)
            assert gone, f"process groups still alive 10 s after their starter died: {left}"
        finally:
            child.kill()
            for pgid in living(groups):  # leave nothing behind, even if the reaper failed
                os.killpg(pgid, signal.SIGKILL)


def test_a_platform_stopped_normally_takes_its_watchdog_along(tmp_path: Path) -> None:
    platform = Platform({"one": "sleep 300"}, platform_env({}), tmp_path)
    platform.start()
    reaper = platform._reaper
    assert reaper is not None
    assert reaper.state_file.read_text().split() == [str(platform.processes["one"].pid)]
    platform.stop()
    assert reaper.watchdog.returncode is not None
    assert not reaper.state_file.exists()
