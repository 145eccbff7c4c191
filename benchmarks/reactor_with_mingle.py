"""``saga-reactor`` with Celery's mingle and gossip left on, for the start-cost comparison
(benchmarks/reactor_start.py): python -m benchmarks.reactor_with_mingle NAME [options]."""

from __future__ import annotations

import sys
from typing import Any

from messaging import reactor_worker
from messaging.reactors import Reactor
from messaging.service_app import ServiceApp

DROPPED = frozenset({"--without-mingle", "--without-gossip"})
_build_app = reactor_worker.build_app


def build_app(reactor: Reactor) -> ServiceApp:
    app = _build_app(reactor)
    start = app.worker_main

    def worker_main(argv: list[Any] | None = None) -> Any:
        return start([a for a in argv or [] if a not in DROPPED])

    setattr(app, "worker_main", worker_main)  # noqa: B010 (mypy: no method assignment)
    return app


def main() -> None:
    setattr(reactor_worker, "build_app", build_app)  # noqa: B010
    reactor_worker.main(sys.argv[1:])


if __name__ == "__main__":
    main()
