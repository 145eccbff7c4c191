"""Run one reactor as its own Celery worker, on its own queue, with its own store:

    saga-reactor email [--start latest|earliest|DATE] [--concurrency 1] [--loglevel INFO]

Everything follows from the reactor's declaration: queue ``reactor.<name>``, task
``reactor.<name>.handle_message``, database ``REACTOR_<NAME>_DATABASE_URL``. Before it
consumes anything the worker announces itself to the orchestrator's event dispatcher
(messaging/subscriptions.py) and does not start if the announcement is refused. No
orchestrator process needs this reactor installed, or restarted, to serve it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from typing import Any

from celery import Celery
from celery.exceptions import TaskRevokedError
from celery.exceptions import TimeoutError as CeleryTimeout
from sqlalchemy import Connection

from messaging import receipts, retention
from messaging.codec import Message
from messaging.consumer import Policy, register_inbound_task
from messaging.contracts import Payload
from messaging.handlers import NotHandled
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from messaging.reactors import EventHandler, Reactor, discover, load
from messaging.service_app import ServiceApp
from messaging.subscriptions import (
    ACKNOWLEDGE,
    EVENTS_QUEUE,
    START_HELP,
    SUBSCRIBE,
    check_task,
    parse_start,
)


class NoAnswer(RuntimeError):
    """The event dispatcher did not answer the announcement in time."""


def build_app(reactor: Reactor) -> ServiceApp:
    @functools.cache
    def handler() -> EventHandler:
        built: EventHandler = load(reactor.handler)()
        return built

    # built when the worker starts (a start check): a factory that fails, a bad setting,
    # stops the worker there instead of parking every event after three retries
    app = ServiceApp(reactor.service, reactor.schema(), at_start=(handler,))

    def handle(conn: Connection, message: Message[Payload]) -> list[OutgoingMessage]:
        if message.type not in reactor.events:
            # parked at once, as a participant parks a type it has no handler for
            raise NotHandled(f"{reactor.name} does not subscribe to {message.type}")
        handler()(conn, message)
        return []

    policy = Policy(
        resend_on_duplicate=False,  # an event has no answer
        on_delivery=receipts.record,
        max_attempts=reactor.max_attempts,
        retry_base=reactor.retry_base,
    )
    register_inbound_task(app, handle, policy)
    # A reactor has no relay (it sends nothing): its periodic work is the dispatcher's
    # checks, which come after each batch of copies and while it is idle.
    schedule = retention.Schedule(app.retention.interval, time.monotonic)

    @app.task(name=check_task(reactor.name), ignore_result=True)
    def check_deliveries(head: int, after: int = 0, sent_at: str | None = None) -> None:
        """The dispatcher has sent copies up to ``head``. It comes behind them on this
        queue, so a number still missing now was lost: ask for exactly those."""
        with app.engine.begin() as conn:
            found = receipts.check(conn, int(head), int(after))
        app.send_task(
            ACKNOWLEDGE,
            kwargs={
                "name": reactor.name,
                "contiguous": found.contiguous,
                "missing": found.missing,
                "check_sent_at": sent_at,
            },
            queue=EVENTS_QUEUE,
            ignore_result=True,
        )
        log = get_logger()
        retain(app, schedule)
        if found.missing:
            log.warning("copies_missing", head=head, missing=found.missing[:20])
        else:
            log.info("copies_complete", head=head, contiguous=found.contiguous)

    if reactor.tasks:
        load(reactor.tasks)(app)
    return app


def retain(app: ServiceApp, schedule: retention.Schedule) -> None:
    """The retention of the reactor's inbox (its processed event ids) and dead letters,
    when due, within the budget; never fails the check."""
    if not schedule.due():
        return
    try:
        targets = retention.shared_targets(app.retention)
        done = retention.run(
            app.engine, targets, app.retention, schedule.slice_end(app.retention.budget)
        )
    except Exception:
        get_logger().exception("retention_failed")
        return
    if done.cut_short:
        schedule.soon()
    if any(done.deleted.values()):
        get_logger().info("retention_deleted", cut_short=done.cut_short, **done.deleted)


def announce(app: ServiceApp, reactor: Reactor, start: str, timeout: float) -> dict[str, Any]:
    """Subscribe, or confirm the subscription; ValueError/LookupError if refused.

    Through a client of its own: the worker's app must not open its pools before the
    worker starts (they would be closed under it)."""
    kwargs = {
        "name": reactor.name,
        "events": sorted(reactor.events),
        "start": start,
        "owner": reactor.owner,
    }
    client = Celery(
        broker=app.conf.broker_url, backend=app.conf.result_backend, set_as_current=False
    )
    client.conf.update(accept_content=["json"], result_accept_content=["json"])
    deadline = time.monotonic() + timeout
    with client:
        wait = min(5.0, max(0.5, timeout))
        while True:
            # each try expires with its wait: a dispatcher back from a restart answers
            # the newest, not a pile of old ones
            result = client.send_task(SUBSCRIBE, kwargs=kwargs, queue=EVENTS_QUEUE, expires=wait)
            try:
                answer: dict[str, Any] = result.get(timeout=wait)
                return answer
            except (CeleryTimeout, TaskRevokedError):
                # TaskRevokedError("expired"): the dispatcher took this try just after it
                # expired (a loaded machine) and stored that as its result: try again
                if time.monotonic() > deadline:
                    raise NoAnswer(
                        f"the event dispatcher (the `events` worker, queue {EVENTS_QUEUE!r}) "
                        f"did not answer within {timeout:.0f}s; is it running?"
                    ) from None
            finally:
                result.forget()


def lower_priority() -> None:
    """A reactor is a side effect: its start-up, catch-up and work never compete with the
    saga path for the cores (SAGA_REACTOR_NICE, 10; 0 keeps the normal priority)."""
    increment = int(os.environ.get("SAGA_REACTOR_NICE", "10"))
    if increment > 0:
        os.nice(increment)


def main(argv: list[str] | None = None) -> None:
    lower_priority()
    parser = argparse.ArgumentParser(prog="saga-reactor", description=__doc__)
    parser.add_argument("name", help="the reactor's name, as declared")
    parser.add_argument(
        "--start",
        default=None,
        help=f"where a new subscription starts: {START_HELP} (default: the declaration's)",
    )
    parser.add_argument("--concurrency", "-c", default="1")
    parser.add_argument("--loglevel", "-l", default="INFO")
    args, extra = parser.parse_known_args(argv)
    try:
        reactors = discover()
    except Exception as exc:  # a declaration that does not load or is invalid: say which
        parser.exit(2, f"saga-reactor: cannot load the installed reactors: {exc}\n")
    if args.name not in reactors:
        parser.error(f"no reactor named {args.name!r}; installed: {sorted(reactors)}")
    reactor = reactors[args.name]
    start = args.start or reactor.start
    try:
        parse_start(start)
    except ValueError as exc:
        parser.error(str(exc))
    app = build_app(reactor)
    app.configure_logging()
    log = get_logger().bind(service=reactor.service)
    timeout = float(os.environ.get("SAGA_ANNOUNCE_TIMEOUT", "60"))
    try:
        subscription = announce(app, reactor, start, timeout)
    except (ValueError, LookupError, NoAnswer) as exc:
        log.error("announcement_failed", error=str(exc))
        print(f"saga-reactor {reactor.name}: {exc}", file=sys.stderr)
        sys.exit(2 if not isinstance(exc, NoAnswer) else 1)
    log.info(
        "subscribed",
        events=subscription["events"],
        origin=subscription["origin"],
        sent=subscription["sent"],
        acknowledged=subscription["acknowledged"],
    )
    for warning in subscription["warnings"]:
        log.warning("subscription_warning", warning=warning)
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
        # nothing here needs them, and they cost every start: cheap restarts
        "--without-mingle",
        "--without-gossip",
        *extra,
    ]
    app.worker_main(worker_args)


if __name__ == "__main__":
    main()
