"""Failed logins counted per client address: after ``limit`` failures within ``window``
seconds the address gets 429 (with ``Retry-After``) for every request that carries
credentials, the right ones too (else a 429 and a 200 would tell a guess from the password),
until the oldest failure is ``window`` seconds old. A request without credentials (a
browser's first, which gets the login prompt) counts for nothing."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

LIMIT = 5  # failures per address ...
WINDOW = 60.0  # ... within this many seconds
MAX_ADDRESSES = 10_000  # addresses remembered at most (the oldest forgotten first)


class LoginThrottle:
    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # waitress serves from several threads

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < self.limit:
                return None
            wait = failures[-self.limit] + self.window - self._clock()
            return max(1, math.ceil(wait))

    def failed(self, address: str) -> int:
        """Count a failed login; the failures of ``address`` within the window."""
        with self._lock:
            failures = self._recent(address)
            failures.append(self._clock())
            self._failures[address] = failures
            while len(self._failures) > MAX_ADDRESSES:
                del self._failures[next(iter(self._failures))]
            return len(failures)

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.pop(address, deque())  # re-inserted: newest last
        since = self._clock() - self.window
        while failures and failures[0] <= since:
            failures.popleft()
        if failures:
            self._failures[address] = failures
        return failures
