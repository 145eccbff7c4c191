"""The outbox relay of one service: publishes what a crash left unpublished.

    saga-relay participants.inventory.worker:app     # runs until SIGTERM/SIGINT

Handlers publish their own rows right after commit; the relay only takes rows older
than SAGA_RELAY_GRACE seconds, so in normal operation it finds nothing to do.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import threading
from types import FrameType

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
    while not stop.is_set():
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
