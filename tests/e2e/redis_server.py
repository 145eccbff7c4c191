"""A Redis server of the test's own, on a free port, persisting every write (AOF with
fsync always), so that the chaos test can restart it without losing messages: the
configuration a production broker needs. It runs in a session of its own, watched by a
``Reaper``: a test run killed midway leaves no redis-server behind."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import IO

import redis

from devtools.launcher import Reaper
from devtools.smtp_sink import free_port


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._reaper: Reaper | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._reaper is None:
            self._reaper = Reaper(self.directory)
        self._log = open(self.directory / "redis.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group the reaper can kill
        )
        self._reaper.watch(self.process.pid)
        deadline = time.monotonic() + 20
        with redis.Redis.from_url(self.url) as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
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
            client.shutdown(nosave=False)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()  # the AOF (fsync always) keeps every write anyway
            self.process.wait(timeout=10)
        if self._reaper is not None:
            self._reaper.forget(self.process.pid)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
