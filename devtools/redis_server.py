"""A throwaway redis-server of our own: on 127.0.0.1, on a free port, its files in a
directory we name. It runs in a session of its own, watched by a ``Reaper``: a run killed
midway (kill -9 included) leaves no redis-server behind.

The demo starts one when no Redis answers at the default URL (devtools/demo_broker.py);
the e2e tests start one with ``durable=True`` (AOF with fsync always, the configuration a
production broker needs) so that the chaos test can restart it without losing messages.

    server = RedisServer(directory, durable=False)
    server.start()      # returns once it answers a PING
    server.url          # redis://127.0.0.1:<port>/0
    server.stop()
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import IO

import redis

from devtools.launcher import Reaper
from devtools.smtp_sink import free_port

START_TIMEOUT = 20.0


class RedisServer:
    def __init__(self, directory: Path, *, durable: bool = False) -> None:
        self.directory = directory
        self.durable = durable
        self.port = free_port()  # kept across restarts: clients reconnect to the same URL
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._reaper: Reaper | None = None

    @property
    def log_path(self) -> Path:
        return self.directory / "redis.log"

    def argv(self) -> list[str]:
        """The command line: persistence only when durable (no RDB snapshots either way)."""
        if self.durable:
            persistence = ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            persistence = ["--appendonly", "no"]
        return [
            *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--dir", str(self.directory), *persistence, "--save", ""),
            *("--maxmemory-policy", "noeviction"),
        ]

    def start(self) -> None:
        """Start it and wait until it answers; if it exits or stays silent, stop what was
        started and raise, naming its log."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._reaper is None:
            self._reaper = Reaper(self.directory)
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.argv(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group the reaper can kill; no Ctrl-C of ours
        )
        self._reaper.watch(self.process.pid)
        try:
            self._wait_until_it_answers(self.process)
        except BaseException:
            self.stop()
            raise

    def _wait_until_it_answers(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with redis.Redis.from_url(self.url) as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError as exc:
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"redis-server exited with {process.returncode}; see {self.log_path}"
                        ) from exc
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"redis-server silent at {self.url} after {START_TIMEOUT:.0f}s; "
                            f"see {self.log_path}"
                        ) from exc
                    time.sleep(0.1)

    def stop(self) -> None:
        self._shutdown()
        if self._reaper is not None:
            self._reaper.close()
            self._reaper = None

    def restart(self) -> float:
        started = time.monotonic()
        self._shutdown()
        self.start()
        return time.monotonic() - started

    def _shutdown(self) -> None:
        if self.process is None:
            return
        with (
            redis.Redis.from_url(self.url, socket_timeout=10) as client,
            contextlib.suppress(redis.ConnectionError),  # it closes the connection under us
        ):
            client.shutdown(nosave=not self.durable)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()  # durable: the AOF (fsync always) keeps every write anyway
            self.process.wait(timeout=10)
        if self._reaper is not None:
            self._reaper.forget(self.process.pid)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
