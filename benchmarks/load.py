"""Open-loop submission: a burst, or a fixed rate that does not wait for completions."""

from __future__ import annotations

import time
from collections.abc import Callable

Submit = Callable[[int], None]


def burst(submit: Submit, count: int) -> list[float]:
    """Submit ``count`` items as fast as the client can; returns each submit's wall time."""
    times = []
    for i in range(count):
        times.append(time.time())
        submit(i)
    return times


def paced(submit: Submit, rate: float, seconds: float) -> list[float]:
    """Item i is sent at start + i / rate whatever happened to the earlier ones (an open
    loop: a slow system gets a queue, as it would from real users)."""
    count = max(1, round(rate * seconds))
    start = time.monotonic()
    times = []
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        times.append(time.time())
        submit(i)
    return times


def wait_until(probe: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def wait_for_all(done: Callable[[], int], total: int, stall: float, interval: float = 0.2) -> int:
    """Wait until ``done()`` reaches ``total``; give up after ``stall`` seconds without
    progress. Returns the last count."""
    last, since = -1, time.monotonic()
    while True:
        count = done()
        if count >= total:
            return count
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > stall:
            return count
        time.sleep(interval)


def closed_loop(
    submit: Submit, done: Callable[[], int], total: int, in_flight: int, stall: float
) -> list[float]:
    """Saturation without a backlog: keep ``in_flight`` items in the system, submit the
    next as soon as one ends. Queues stay short, so no step deadline fires on its own
    and the figure is the system's throughput, not its behaviour under overload."""
    times: list[float] = []
    last, since = -1, time.monotonic()
    while True:
        finished = done()
        while len(times) < total and len(times) - finished < in_flight:
            times.append(time.time())
            submit(len(times) - 1)
        if finished >= total:
            return times
        if finished != last:
            last, since = finished, time.monotonic()
        elif time.monotonic() - since > stall:
            return times
        time.sleep(0.1)
