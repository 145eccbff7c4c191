"""Start and stop the platform's processes, as listed in the Procfile.

Used by the demo and the integration tests, so both run exactly what operators run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
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


@dataclass
class Platform:
    commands: dict[str, str]
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def start(self, names: Iterable[str] | None = None) -> None:
        for name in names or self.commands:
            if name in self._logs:
                self._logs[name].close()
            self._logs[name] = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
            argv = shlex.split(expand(self.commands[name], self.env))
            self.processes[name] = subprocess.Popen(
                argv,
                env=self.env,
                stdout=self._logs[name],
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group: kill -9 takes the pool children too
            )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_one(self, name: str, timeout: float = 20.0) -> None:
        """Warm shutdown of one process (SIGTERM to its main process)."""
        process = self.processes[name]
        process.terminate()
        try:
            process.wait(timeout=timeout)
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


def platform_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment for the platform's processes, with our virtualenv's bin first."""
    env = dict(os.environ)
    env.update(overrides)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env
