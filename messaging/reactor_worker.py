"""Run one reactor as its own Celery worker, on its own queue, with its own store:

    saga-reactor email [--concurrency 1] [--loglevel INFO]

Everything follows from the reactor's declaration: queue ``reactor.<name>``, task
``reactor.<name>.handle_message``, database ``REACTOR_<NAME>_DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import functools
import os
from datetime import timedelta
from typing import Any

from celery.signals import worker_ready
from sqlalchemy import Connection, MetaData, func, select

from messaging.codec import MalformedMessage, Message
from messaging.consumer import register_inbound_task
from messaging.contracts import Payload
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from messaging.reactors import EventHandler, Reactor, discover, load
from messaging.routing import ORCHESTRATOR
from messaging.service_app import ServiceApp
from messaging.tables import inbox


def build_app(reactor: Reactor) -> ServiceApp:
    metadata = load(reactor.tables) if reactor.tables else MetaData()
    app = ServiceApp(reactor.service, metadata)

    @functools.cache
    def handler() -> EventHandler:  # built on first use, in the worker process
        built: EventHandler = load(reactor.handler)()
        return built

    def handle(conn: Connection, message: Message[Payload]) -> list[OutgoingMessage]:
        if message.type not in reactor.events:
            raise MalformedMessage(f"{reactor.name} does not subscribe to {message.type}")
        handler()(conn, message)
        return []

    register_inbound_task(
        app,
        handle,
        resend_on_duplicate=False,
        max_attempts=reactor.max_attempts,
        retry_base=reactor.retry_base,
    )
    if reactor.tasks:
        load(reactor.tasks)(app)

    def catch_up(**_: Any) -> None:
        request_catch_up(app, reactor)

    worker_ready.connect(catch_up, weak=False)
    return app


def request_catch_up(app: ServiceApp, reactor: Reactor) -> None:
    """On Redis, a worker killed between taking a message (BRPOP) and recording it as
    unacknowledged loses that message (a known kombu limit). So a reactor that starts
    asks the orchestrator to send again every event since a little before the last one
    it handled; its inbox drops what it already has. A reactor that has handled nothing
    yet waits for an explicit `sagactl reactors backfill`."""
    margin = timedelta(seconds=float(os.environ.get("SAGA_REACTOR_CATCH_UP_SECONDS", "600")))
    with app.engine.begin() as conn:
        last = conn.execute(select(func.max(inbox.c.received_at))).scalar_one_or_none()
    log = get_logger()
    if last is None:
        log.info("catch_up_skipped", reason="nothing handled yet")
        return
    since = (last - margin).isoformat()
    app.send_task(
        "orchestrator.backfill_events",
        kwargs={"reactor": reactor.name, "since": since},
        queue=ORCHESTRATOR,
        ignore_result=True,
    )
    log.info("catch_up_requested", since=since)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="saga-reactor", description=__doc__)
    parser.add_argument("name", help="the reactor's name, as declared")
    parser.add_argument("--concurrency", "-c", default="1")
    parser.add_argument("--loglevel", "-l", default="INFO")
    args, extra = parser.parse_known_args(argv)
    reactors = discover()
    if args.name not in reactors:
        parser.error(f"no reactor named {args.name!r}; installed: {sorted(reactors)}")
    reactor = reactors[args.name]
    app = build_app(reactor)
    worker_args: list[Any] = [
        "worker",
        "-Q",
        reactor.service,
        "-n",
        f"{reactor.service}@%h",
        "-c",
        args.concurrency,
        "--loglevel",
        args.loglevel,
        *extra,
    ]
    app.worker_main(worker_args)


if __name__ == "__main__":
    main()
