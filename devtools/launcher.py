"""Start and stop the platform's processes, as listed in the Procfile.

Used by the demo and the integration tests, so both run exactly what operators run.
Each process runs in a session of its own, so nothing of ours ends it when its starter
dies: a watchdog (``Reaper``) kills what is left once the starter is gone.

    python -m devtools.launcher --watch PARENT_PID STATEFILE   # the watchdog itself
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from celery import Celery
from honcho.environ import parse_procfile


def read_procfile(path: Path) -> dict[str, str]:
    return dict(parse_procfile(path.read_text()).processes)


def expand(command: str, env: Mapping[str, str]) -> str:
    """Expand ``${NAME}`` and ``${NAME:-default}`` as the shell under honcho would."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m[1]) or (m[2] or ""), command)


def worker_node(command: str) -> str | None:
    """The Celery node name a Procfile line starts (``-n name@%h``), if it is a worker."""
    parts = shlex.split(command)
    if parts[0] == "saga-reactor" and len(parts) > 1:  # messaging.reactor_worker's node
        return f"reactor.{parts[1]}@{socket.gethostname()}"
    if "worker" not in parts or "-n" not in parts:
        return None
    return parts[parts.index("-n") + 1].replace("%h", socket.gethostname())


class Reaper:
    """A watchdog process that kills (SIGKILL) the process groups listed with ``watch``
    once the process that made this Reaper is gone, however it ended (kill -9 included).

    The groups are kept in a state file, rewritten whole on every change. The watchdog
    polls its parent pid; it leaves without killing anything when ``close`` removes the
    state file or sends it SIGTERM. Not ``PR_SET_PDEATHSIG``: that fires when the *thread*
    that started a process ends, and the chaos test restarts processes from helper threads.
    """

    def __init__(self, directory: Path, poll_seconds: float = 0.5) -> None:
        fd, name = tempfile.mkstemp(prefix="reaper-", suffix=".pgids", dir=directory)
        os.close(fd)
        self.state_file = Path(name)
        self._groups: set[int] = set()
        self._lock = threading.Lock()
        self._closed = False
        argv = [sys.executable, "-m", __name__, "--watch", str(os.getpid()), name]
        with open(directory / "reaper.log", "ab") as log:
            self.watchdog = subprocess.Popen(
                [*argv, "--poll", str(poll_seconds)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C to our process group must not end it first
            )

    def watch(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)
            self._write()

    def forget(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)
            self._write()

    def _write(self) -> None:
        if self._closed:
            return
        new = self.state_file.with_suffix(".new")
        new.write_text("".join(f"{pgid}\n" for pgid in sorted(self._groups)))
        new.replace(self.state_file)  # the watchdog never reads half a file

    def close(self) -> None:
        """The normal end: the watchdog leaves and kills nothing."""
        with self._lock:
            self._closed = True
            self.state_file.unlink(missing_ok=True)
            self.watchdog.terminate()
            self.watchdog.wait(timeout=10)


def watch(parent: int, state_file: Path, poll_seconds: float) -> None:
    """The watchdog: wait while ``parent`` lives and the state file exists; if the parent
    is gone first, kill every process group the file lists."""
    while os.getppid() == parent and state_file.exists():  # we are reparented when it dies
        time.sleep(poll_seconds)
    try:
        listed = state_file.read_text().split()
    except FileNotFoundError:
        return  # stopped normally
    for pgid in map(int, listed):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    print(f"parent {parent} gone: killed process groups {listed}", flush=True)
    state_file.unlink(missing_ok=True)


@dataclass
class Platform:
    commands: dict[str, str]
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # where the processes run (None: here). Celery imports its -A app with the working
    # directory first on sys.path, before PYTHONPATH: a benchmark that runs another source
    # tree (benchmarks.platform_run.tree_env) runs its processes in that tree.
    cwd: Path | None = None
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)
    _reaper: Reaper | None = field(default=None, init=False, repr=False)

    def start(self, names: Iterable[str] | None = None) -> None:
        if self._reaper is None:
            self._reaper = Reaper(self.log_dir)
        for name in names or self.commands:
            previous = self.processes.get(name)
            if previous is not None and previous.poll() is not None:
                self._reaper.forget(previous.pid)
            if name in self._logs:
                self._logs[name].close()
            self._logs[name] = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
            argv = shlex.split(expand(self.commands[name], self.env))
            self.processes[name] = subprocess.Popen(
                argv,
                env=self.env,
                cwd=self.cwd,
                stdout=self._logs[name],
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group: kill -9 takes the pool children too
            )
            self._reaper.watch(self.processes[name].pid)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)
        self._forget(process)

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        if self._reaper is not None:
            self._reaper.forget(process.pid)

    def stop_one(self, name: str, timeout: float = 20.0) -> None:
        """Warm shutdown of one process (SIGTERM to its main process)."""
        process = self.processes[name]
        process.terminate()
        try:
            process.wait(timeout=timeout)
            self._forget(process)
        except subprocess.TimeoutExpired:
            self.kill(name)

    def stop(self, timeout: float = 20.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()  # the main process only: Celery's warm shutdown
        deadline = time.monotonic() + timeout
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(name)
        if self._reaper is not None:
            self._reaper.close()
            self._reaper = None
        for log in self._logs.values():
            log.close()

    def nodes(self, names: Iterable[str] | None = None) -> list[str]:
        found = (worker_node(self.commands[n]) for n in (names or self.processes))
        return [node for node in found if node]

    def wait_until_ready(self, broker_url: str, timeout: float = 60.0) -> None:
        """Wait until every started worker answers a ping; fail early if one exits."""
        expected = set(self.nodes())
        client = Celery(broker=broker_url, set_as_current=False)
        deadline = time.monotonic() + timeout
        try:
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        log = self.log_dir / f"{name}.log"
                        raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
                replies = client.control.ping(timeout=0.5)
                answered = {node for reply in replies for node in reply}
                if expected <= answered:
                    return
                if time.monotonic() > deadline:
                    missing = sorted(expected - answered)
                    raise TimeoutError(f"workers not ready after {timeout}s: {missing}")
        finally:
            client.close()


def doubled(commands: Mapping[str, str], single: Iterable[str] = ()) -> dict[str, str]:
    """Every Procfile line twice, but those named in ``single``: the copy of ``name`` is
    ``name-2``, and a worker's copy gets a node name of its own (``-n X-2@%h``)."""
    keep = set(single)
    both = dict(commands)
    for name, command in commands.items():
        if name in keep:
            continue
        second = re.sub(r"-n (\S+)@%h", r"-n \1-2@%h", command)
        if command.startswith("saga-reactor"):
            second = f"{command} -n {name}-2@%h"
        both[f"{name}-2"] = second
    return both


def platform_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment for the platform's processes, with our virtualenv's bin first."""
    env = dict(os.environ)
    env.update(overrides)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.launcher")
    parser.add_argument("--watch", nargs=2, metavar=("PARENT_PID", "STATEFILE"), required=True)
    parser.add_argument("--poll", type=float, default=0.5, metavar="SECONDS")
    args = parser.parse_args(argv)
    watch(int(args.watch[0]), Path(args.watch[1]), args.poll)


if __name__ == "__main__":
    main()
