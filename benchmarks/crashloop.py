"""Isolation under crash loops (issue 10): checkout latency at half the measured capacity
while one reactor is killed -9 every ``KILL_EVERY`` seconds (its process group, then
started again at once, as a supervisor would), against the same load with none killed,
in the same run; then every event's effect counted in each reactor's own store.

The CPU of a killed reactor is read just before the kill and added: /proc forgets it."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy import ColumnElement, Engine, Table, func, select

from benchmarks import saga_figures as figures
from benchmarks.load import wait_until
from benchmarks.phases import run_phase
from benchmarks.platform_run import PlatformRun
from benchmarks.procstat import cpu_by_group
from benchmarks.settings import PLATFORM_BROKER
from devtools.launcher import worker_node
from reactors.analytics.store import order_facts
from reactors.crm.store import history
from reactors.email.store import sent_emails

KILL_EVERY = 10.0
VICTIMS = ("reactor-email", "reactor-analytics", "reactor-crm")  # Procfile names, in turn
READY_TIMEOUT = 60.0  # a restarted reactor that does not answer by then is reported
EFFECTS_TIMEOUT = 120.0  # for the reactors to hold every effect after the last kill


# Each reactor's effect of one OrderConfirmed: one row per order in its own table.
EFFECTS: dict[str, tuple[Table, ColumnElement[bool]]] = {
    "reactor.email": (sent_emails, sent_emails.c.kind == "confirmation"),
    "reactor.analytics": (order_facts, order_facts.c.outcome == "confirmed"),
    "reactor.crm": (history, history.c.event == "OrderConfirmed"),
}


def answers(client: Celery, node: str) -> bool:
    return bool(client.control.ping(destination=[node], timeout=0.25, limit=1))


@dataclass(frozen=True)
class Ready:
    seconds: float  # when it answered a ping, or logged ready (then ping_s is None)
    ping_s: float | None
    log_s: float | None  # it logged "<node> ready." (Celery's worker_ready)
    snapshot: Any = None  # what ``on_ready`` returned at that moment


def wait_ready(
    node: str,
    timeout: float,
    log: tuple[Path, int] | None = None,
    on_ready: Callable[[], Any] | None = None,
    grace: float = 3.0,
) -> Ready | None:
    """Until ``node`` answers a ping; None if not within ``timeout``. With ``log`` (a file
    and the offset to read it from): also until ``grace`` seconds after it logged that it
    is ready, for a worker with mingle and gossip on (the start-cost comparison), which
    after logging ready answered no ping for a minute in some starts and at once in
    others. ``on_ready`` is called at the moment taken as ready. A client of its own."""
    start = time.monotonic()
    marker = f"{node} ready.".encode()
    log_s, at_log = None, None
    with Celery(broker=PLATFORM_BROKER, set_as_current=False) as client:
        while time.monotonic() - start < timeout:
            if log is not None and log_s is None and log[0].exists():
                with log[0].open("rb") as f:
                    f.seek(log[1])
                    if marker in f.read():
                        log_s = time.monotonic() - start
                        at_log = on_ready() if on_ready else None
            if answers(client, node):
                ping_s = time.monotonic() - start
                return Ready(ping_s, ping_s, log_s, on_ready() if on_ready else None)
            if log_s is not None and time.monotonic() - start - log_s > grace:
                return Ready(log_s, None, log_s, at_log)
    return None


class Killer(threading.Thread):
    """Kills one reactor every ``every`` seconds from ``every``/2 on, in turn, while at
    least ``every``/2 of the window is left; restarts it at once."""

    def __init__(self, run: PlatformRun, seconds: float, every: float = KILL_EVERY) -> None:
        super().__init__(name="crash-loop", daemon=True)
        self.run_ = run
        self.seconds = seconds
        self.every = every
        self.kills: list[dict[str, Any]] = []
        self.cpu_of_killed = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        platform = self.run_.processes
        start = time.monotonic()
        for i in range(int(self.seconds // self.every) + 1):
            at = start + self.every / 2 + i * self.every
            if at > start + self.seconds - self.every / 2:
                break
            if self.stop.wait(max(0.0, at - time.monotonic())):
                break
            name = VICTIMS[i % len(VICTIMS)]
            pid = platform.processes[name].pid
            self.cpu_of_killed += cpu_by_group([pid]).get(pid, 0.0)
            killed_at = time.monotonic()
            platform.kill(name)
            platform.start([name])
            node = worker_node(platform.commands[name])
            ready = wait_ready(node, READY_TIMEOUT) if node else None
            self.kills.append(
                {
                    "at_s": round(killed_at - start, 1),
                    "process": name,
                    "restart_to_ready_s": None if ready is None else round(ready.seconds, 2),
                }
            )


def _with_kills(phase: dict[str, Any], killer: Killer) -> dict[str, Any]:
    """run_phase reads CPU from live processes only: add what the killed ones used."""
    cpu = phase["cpu_s"] + killer.cpu_of_killed
    return {
        **phase,
        "cpu_s": cpu,
        "cpu_ms_per_saga": cpu / max(1, phase["completed"]) * 1000,
        "kills": killer.kills,
    }


def run_crash_loop(run: PlatformRun, saturation: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Capacity: the lower of the run's saturation figure and one measured again now (the
    machine's speed drifts; above capacity p99 is the queue's length, not isolation)."""
    again = run_phase(run, "cap", saturation["submitted"], None)
    capacity = min(saturation["sagas_per_s"], again["sagas_per_s"])
    rate = max(1.0, round(capacity / 2, 1))
    count = round(rate * seconds)
    none = run_phase(run, "calm", count, rate)
    killer = Killer(run, seconds)
    killer.start()
    try:
        phase = run_phase(run, "crash", count, rate)
    finally:
        killer.stop.set()
        killer.join(timeout=READY_TIMEOUT + 30)
    killed = _with_kills(phase, killer)
    # Any reactor the last restart left down is started, so the counts can complete.
    for name in VICTIMS:
        if run.processes.processes[name].poll() is not None:
            run.processes.start([name])
    effects = exactly_once(run, [*run.ids["calm"], *run.ids["crash"]])
    p50 = _ratio(killed["latency"]["p50_ms"], none["latency"]["p50_ms"])
    p99 = _ratio(killed["latency"]["p99_ms"], none["latency"]["p99_ms"])
    return {
        "capacity_per_s": capacity,
        "capacity_measured_per_s": [saturation["sagas_per_s"], again["sagas_per_s"]],
        "rate_per_s": rate,
        "seconds": seconds,
        "kill_every_s": KILL_EVERY,
        "none": none,
        "killed": killed,
        "ratio_p50": p50,
        "ratio_p99": p99,
        "within_1_5x": None if p50 is None or p99 is None else max(p50, p99) <= 1.5,
        "effects": effects,
    }


def _ratio(value: float, base: float) -> float | None:
    if not base or math.isnan(value) or math.isnan(base):  # NaN: nothing measured
        return None
    return value / base


def effect_counts(engine: Engine, reactor: str, order_ids: Sequence[str]) -> Counter[str]:
    table, where = EFFECTS[reactor]
    found: Counter[str] = Counter()
    with engine.begin() as conn:
        for chunk in figures.chunks(order_ids):
            query = (
                select(table.c.order_id, func.count())
                .where(where, table.c.order_id.in_(chunk))
                .group_by(table.c.order_id)
            )
            found.update({order_id: n for order_id, n in conn.execute(query)})
    return found


def exactly_once(run: PlatformRun, order_ids: Sequence[str]) -> dict[str, Any]:
    """Every completed order: exactly one effect row in each reactor's store; no other
    order: none. Waits (bounded) for the reactors to catch up after the last kill."""
    ended = figures.ended(run.engines["orchestrator"], order_ids)
    completed = {o for o, e in ended.items() if e.status == "completed"}
    counts: dict[str, Counter[str]] = {}

    def complete() -> bool:
        for reactor in EFFECTS:
            counts[reactor] = effect_counts(run.engines[reactor], reactor, order_ids)
        return all(counts[r][o] >= 1 for r in EFFECTS for o in completed)

    started = time.monotonic()
    caught_up = wait_until(complete, EFFECTS_TIMEOUT, interval=1.0)
    complete()  # once more: a late duplicate counts too
    violations = [
        f"{order_id}: {counts[reactor][order_id]} rows in {reactor}"
        for reactor in EFFECTS
        for order_id in order_ids
        if counts[reactor][order_id] != (1 if order_id in completed else 0)
    ]
    received = [(o, m) for o, m in run.sink.received() if o in completed]
    resends = len(received) - len(set(received))
    return {
        "orders": len(order_ids),
        "completed": len(completed),
        "not_ended": len(order_ids) - len(ended),
        "caught_up": caught_up,
        "seconds_to_catch_up": round(time.monotonic() - started, 1),
        "violations": len(violations),
        "first_violations": violations[:20],
        # a reactor killed between the SMTP server's "250" and its commit sends again,
        # with the same Message-ID: at-least-once towards SMTP, by design; not a row
        "smtp_resends": resends,
    }
