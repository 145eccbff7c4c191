"""Outbox rows this process published on the fast path, marked published in batches.

A handler commits its state with its outbox rows, publishes them, and then has to mark
them published, or the relay sends them again once they are SAGA_RELAY_GRACE seconds old.
Marking them in a transaction of their own after every message cost a store transaction
per message. Here the ids wait in memory and a thread of the process marks them every
``interval`` seconds (a fraction of the relay's grace), all in one UPDATE.

What it risks: none of the guarantees. A row is marked only after the broker took it,
as before. A process killed with ids still waiting leaves those rows unmarked, and the
relay publishes them again: a duplicate, which every receiver's inbox absorbs, as it
does for a process killed between its publish and its mark. A store that refuses the
mark keeps the ids for the next try. A worker that stops (SIGTERM) marks what waits.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from messaging.logs import get_logger
from messaging.outbox import mark_published

log = get_logger()


class PublishedMarks:
    """One process's published row ids, marked by a thread started at the first ``add``
    in this process (a forked child starts its own)."""

    def __init__(self, engine: Callable[[], Engine], interval: float) -> None:
        self._engine = engine  # the process's engine, built after fork
        self.interval = interval
        self._ids: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def add(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._ids.extend(ids)
            if self._pid != os.getpid():  # first use in this process, or after a fork
                self._pid = os.getpid()
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, name="outbox-marks", daemon=True)
                self._thread.start()

    def waiting(self) -> int:
        with self._lock:
            return len(self._ids)

    def flush(self) -> int:
        """Mark what waits, in one transaction; on an error keep it for the next try."""
        with self._lock:
            ids, self._ids = self._ids, []
        if not ids:
            return 0
        try:
            with self._engine().begin() as conn:
                mark_published(conn, ids)
        except Exception as exc:
            with self._lock:
                self._ids[:0] = ids
            log.warning("outbox_marks_deferred", rows=len(ids), error=repr(exc))
            return 0
        return len(ids)

    def close(self) -> None:
        """Stop the thread (if this process started one) and mark what waits."""
        self._stop.set()
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread.is_alive():
            thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        stop = self._stop
        while not stop.wait(self.interval):
            self.flush()
