"""The deadline sweeper: acts on sagas whose step deadline has passed.

    saga-sweeper        # runs until SIGTERM/SIGINT; SAGA_SWEEP_INTERVAL seconds (0.5)

Each due saga is handled in its own transaction under its row lock, and the engine checks
the deadline again under that lock, so several sweepers never act twice on one deadline.

Every SAGA_RETENTION_INTERVAL seconds (300) it also runs the retention of the
orchestrator's own tables (orchestrator/retention.py): finished sagas with their history,
and the event log behind every subscription. The sweeper is the orchestrator store's one
periodic process already; the orchestrator's relay takes its outbox, inbox and dead
letters, as every service's relay does.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime
from types import FrameType

from messaging.database import reading
from messaging.logs import get_logger
from messaging.outbox import add, publish_now
from messaging.retention import Schedule
from orchestrator import retention
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions, reads
from orchestrator.worker import app


def sweep_once() -> int:
    """Act on every due saga of a registered version; returns how many were acted on
    without an error. A due saga of a version this build does not register is only
    reported (it is not taken, so a hundred of them cannot starve the others), and a saga
    that fails every time (a bug) is logged and does not count: either way the loop below
    sleeps instead of spinning."""
    log = get_logger()
    registry = definitions()
    versions = [(d.name, d.version) for d in registry.every()]
    now = datetime.now(UTC)
    with reading(app.engine) as conn:  # a scan takes no write lock (each action does)
        due = reads.due(conn, now, versions)
        stranded = reads.stranded(conn, now, versions)
    for row in stranded:  # an operator's deploy fixes it; it never blocks the others
        reason = actions.not_registered(row, f"registered: {registry.labels()}")
        log.error("sweep_skipped_unregistered_version", saga_id=row.saga_id, reason=reason)
    acted = 0
    for saga_id in due:
        try:
            with app.engine.begin() as conn:
                outgoing = actions.apply_deadline(conn, registry, saga_id)
                rows = add(conn, outgoing)
            publish_now(app.engine, app.publisher, rows)
            acted += 1
        except Exception:  # one bad saga must not stop the others
            log.exception("sweep_failed", saga_id=saga_id)
    return acted


def retain(schedule: Schedule) -> None:
    """The retention of the orchestrator's tables, when it is due; never fatal."""
    if not schedule.due():
        return
    budget = app.retention.budget
    try:
        done = retention.run(app.engine, app.retention, until=schedule.slice_end(budget))
    except Exception:
        get_logger().exception("retention_failed")
        return
    if done.cut_short:
        schedule.soon()
    if any(done.deleted.values()):
        get_logger().info("retention_deleted", cut_short=done.cut_short, **done.deleted)


def main() -> None:
    app.configure_logging()
    log = get_logger()
    definitions()  # a bad SAGA_START_VERSIONS stops the sweeper at start, as the worker
    app.check_store()  # its start check: no worker runs one for this process
    interval = float(os.environ.get("SAGA_SWEEP_INTERVAL", "0.5"))
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("sweeper_started", interval=interval)
    schedule = Schedule(app.retention.interval, time.monotonic)
    while not stop.is_set():
        retain(schedule)
        try:
            if sweep_once():  # more may be due at once: look again without waiting
                continue
        except Exception:
            log.exception("sweeper_error")
        stop.wait(interval)
    log.info("sweeper_stopped")


if __name__ == "__main__":
    main()
