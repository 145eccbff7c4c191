"""The deadline sweeper: acts on sagas whose step deadline has passed.

    saga-sweeper        # runs until SIGTERM/SIGINT; SAGA_SWEEP_INTERVAL seconds (0.5)

Each due saga is handled in its own transaction under its row lock, and the engine checks
the deadline again under that lock, so several sweepers never act twice on one deadline.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from messaging.logs import get_logger
from messaging.outbox import add, publish_now
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions, reads
from orchestrator.worker import app


def sweep_once() -> int:
    """Act on every due saga; returns how many were acted on without an error. A saga
    that fails every time (its definition version no longer registered, a bug) is logged each pass
    and does not count, so the loop below sleeps instead of spinning on it."""
    log = get_logger()
    with app.engine.begin() as conn:
        due = reads.due(conn, datetime.now(UTC))
    acted = 0
    for saga_id in due:
        try:
            with app.engine.begin() as conn:
                outgoing = actions.apply_deadline(conn, definitions(), saga_id)
                rows = add(conn, outgoing)
            publish_now(app.engine, app.publisher, rows)
            acted += 1
        except actions.VersionNotRegistered as exc:  # an operator's deploy fixes it
            log.error("sweep_skipped_unregistered_version", saga_id=saga_id, reason=str(exc))
        except Exception:  # one bad saga must not stop the others
            log.exception("sweep_failed", saga_id=saga_id)
    return acted


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
    while not stop.is_set():
        try:
            if sweep_once():  # more may be due at once: look again without waiting
                continue
        except Exception:
            log.exception("sweeper_error")
        stop.wait(interval)
    log.info("sweeper_stopped")


if __name__ == "__main__":
    main()
