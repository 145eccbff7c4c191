"""Run one reactor as its own Celery worker, on its own queue, with its own store:

    saga-reactor email [--concurrency 1] [--loglevel INFO]

Everything follows from the reactor's declaration: queue ``reactor.<name>``, task
``reactor.<name>.handle_message``, database ``REACTOR_<NAME>_DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from sqlalchemy import Connection, MetaData

from messaging.codec import MalformedMessage, Message
from messaging.consumer import register_inbound_task
from messaging.contracts import Payload
from messaging.outbox import OutgoingMessage
from messaging.reactors import EventHandler, Reactor, discover, load
from messaging.service_app import ServiceApp


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
    return app


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
