"""The outbox relay of one service: publishes what a crash left unpublished.

    saga-relay participants.inventory.worker:app     # runs until SIGTERM/SIGINT

Handlers publish their own rows right after commit; the relay only takes rows older
than SAGA_RELAY_GRACE seconds, so in normal operation it finds nothing to do.

Every SAGA_RETENTION_INTERVAL seconds (300) it also runs the retention of the service's
outbox, inbox and dead letters (messaging/retention.py): the relay is the one periodic
process every service already has on its store, and its work is the outbox's.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import threading
import time
from types import FrameType

from messaging import retention
from messaging.logs import get_logger
from messaging.outbox import relay_pending
from messaging.service_app import ServiceApp


def load_app(spec: str) -> ServiceApp:
    module_name, _, attribute = spec.partition(":")
    app = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(app, ServiceApp):
        raise TypeError(f"{spec} is not a ServiceApp")
    return app


def run(app: ServiceApp, stop: threading.Event) -> None:
    app.configure_logging()
    log = get_logger()
    app.check_store()  # its start check: no worker runs one for this process
    engine = app.engine
    log.info("relay_started", interval=app.settings.relay_interval)
    schedule = retention.Schedule(app.retention.interval, time.monotonic)
    while not stop.is_set():
        retain(app, schedule)
        try:
            sent = relay_pending(engine, app.publisher, older_than=app.settings.relay_grace)
        except Exception:
            log.exception("relay_error")
            sent = 0
        if sent:
            log.warning("relay_published_leftovers", count=sent)
        else:
            stop.wait(app.settings.relay_interval)
    log.info("relay_stopped")


def retain(app: ServiceApp, schedule: retention.Schedule) -> None:
    """The retention of the shared tables, when it is due; never fatal."""
    if not schedule.due():
        return
    log = get_logger()
    try:
        targets = retention.shared_targets(app.retention)
        until = schedule.slice_end(app.retention.budget)
        done = retention.run(app.engine, targets, app.retention, until)
    except Exception:
        log.exception("retention_failed")
        return
    if done.cut_short:
        schedule.soon()
    if any(done.deleted.values()):
        log.info("retention_deleted", cut_short=done.cut_short, **done.deleted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="saga-relay", description=__doc__)
    parser.add_argument("app", help="the service's Celery app, as module:attribute")
    args = parser.parse_args(argv)
    app = load_app(args.app)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    run(app, stop)


if __name__ == "__main__":
    main()
