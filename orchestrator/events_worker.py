"""The orchestrator's event dispatcher: its own worker, on its own queue ``events``, next to
the orchestrator's store but apart from the worker that moves sagas.

    celery -A orchestrator.events_worker worker -Q events -n events@%h -P solo

It answers reactors' announcements and operators (tasks ``events.*``, docs/task-api.md)
and runs the dispatch loop (orchestrator/event_dispatch.py) in a thread of lower CPU
priority, so that under load saga traffic goes first.
"""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import datetime
from typing import Any

import structlog
from celery.signals import worker_ready, worker_shutdown
from pydantic import ValidationError

from messaging.reactors import discover
from messaging.service_app import CeleryPublisher, ServiceApp
from messaging.subscriptions import (
    ACKNOWLEDGE,
    BACKFILL,
    EVENTS_QUEUE,
    LIST,
    SUBSCRIBE,
    UNSUBSCRIBE,
    Announcement,
    check_task,
    validate_announcement,
)
from orchestrator import event_dispatch, migrations, subscriptions

app = ServiceApp("orchestrator", migrations.SCHEMA, queue=EVENTS_QUEUE)
log = structlog.get_logger()


@app.task(name=SUBSCRIBE, ignore_result=False)
def subscribe(**announcement: Any) -> dict[str, Any]:
    """A reactor announces itself: name, events, start (latest, earliest or a date) and
    owner. Refusals are ValueError with the reason; the reactor then does not start."""
    valid = validate_announcement(announcement)
    try:
        with app.engine.begin() as conn:
            result = subscriptions.subscribe(conn, valid, subscriptions.ANNOUNCED)
    except subscriptions.SubscriptionRefused as exc:  # a builtin type: any client knows it
        raise ValueError(str(exc)) from None
    log.info("reactor_announced", reactor=valid.name, events=valid.events, start=valid.start)
    for warning in result["warnings"]:
        log.warning("subscription_warning", reactor=valid.name, warning=warning)
    return result


@app.task(name=UNSUBSCRIBE, ignore_result=False)
def unsubscribe(name: str) -> dict[str, Any]:
    """Retire a reactor: no more copies (stop its worker first)."""
    try:
        with app.engine.begin() as conn:
            result = subscriptions.unsubscribe(conn, name)
    except subscriptions.UnknownSubscription as exc:
        raise LookupError(str(exc)) from None
    log.info("reactor_unsubscribed", reactor=name)
    return result


@app.task(name=LIST, ignore_result=False)
def list_subscriptions() -> list[dict[str, Any]]:
    with app.engine.begin() as conn:
        return subscriptions.listing(conn)


@app.task(name=ACKNOWLEDGE, ignore_result=True)
def acknowledge(
    name: str, contiguous: int, missing: list[list[int]], check_sent_at: str | None = None
) -> None:
    """A reactor's answer to a check: what it holds, and the numbers it lacks."""
    sent_at = datetime.fromisoformat(check_sent_at) if check_sent_at else None
    with app.engine.begin() as conn:
        subscriptions.acknowledge(conn, name, contiguous, missing, check_sent_at=sent_at)
    if missing:
        log.warning("reactor_lacks_copies", reactor=name, missing=missing[:20])


@app.task(name=BACKFILL, ignore_result=False)
def backfill(name: str, since: str | None = None) -> dict[str, Any]:
    """Send a reactor again every logged event of its types (since an ISO date), a page at
    a time behind live delivery. It skips those it already handled."""
    start = datetime.fromisoformat(since) if since else None
    try:
        with app.engine.begin() as conn:
            result = subscriptions.request_backfill(conn, name, start)
    except subscriptions.UnknownSubscription as exc:
        raise LookupError(str(exc)) from None
    except subscriptions.SubscriptionRefused as exc:
        raise ValueError(str(exc)) from None
    log.info("backfill_requested", reactor=name, since=since, events=result["events"])
    return {**result, "since": since}


class CheckingSender(CeleryPublisher):
    """Copies and checks, published as Celery tasks."""

    def send_check(self, check: event_dispatch.Check) -> None:
        self._app.send_task(
            check_task(check.name),
            kwargs={"head": check.head, "after": check.after, "sent_at": check.sent_at.isoformat()},
            queue=check.queue,
            ignore_result=True,
            producer=self._producer,  # the dispatcher's batch, when in one
        )


def register_plugins() -> None:
    """Installed entry-point reactors subscribe here as plug-ins (from their declared
    start), so their copies accumulate even before their worker first starts. A retired
    one stays retired."""
    for reactor in discover(strict=False).values():
        try:  # one bad plug-in is logged and left out; a store that is down stops the start
            announcement = Announcement(
                name=reactor.name,
                events=sorted(reactor.events),
                start=reactor.start,
                owner=reactor.owner,
            )
            with app.engine.begin() as conn:
                subscriptions.subscribe(conn, announcement, subscriptions.PLUGIN)
        except (subscriptions.SubscriptionRefused, ValidationError) as exc:
            log.error("plugin_not_subscribed", reactor=reactor.name, error=str(exc))


def settings_from_env() -> tuple[event_dispatch.Settings, float]:
    env = os.environ
    settings = event_dispatch.Settings(
        page=int(env.get("SAGA_EVENTS_PAGE", "200")),
        check_interval=float(env.get("SAGA_EVENTS_CHECK_INTERVAL", "5")),
    )
    return settings, float(env.get("SAGA_EVENTS_INTERVAL", "0.1"))


def run(stop: threading.Event) -> None:
    """Dispatch until ``stop``: again at once while pages come back full, else poll."""
    with contextlib.suppress(OSError):  # lower priority than the saga path, this thread only
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    settings, interval = settings_from_env()
    sender = CheckingSender(app)
    log.info("dispatcher_started", interval=interval, page=settings.page)
    while not stop.is_set():
        try:
            result = event_dispatch.dispatch_once(app.engine, sender, settings)
        except Exception:
            log.exception("dispatch_error")
            stop.wait(1.0)
            continue
        if result.live or result.resent:
            log.debug("dispatched", live=result.live, resent=result.resent, checks=result.checks)
        if not result.full:
            stop.wait(interval)
    log.info("dispatcher_stopped")


def _dispatch_while_the_worker_runs(service: ServiceApp) -> None:
    stop = threading.Event()

    def on_ready(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is not service:
            return
        try:
            register_plugins()
        except Exception as exc:
            # Celery logs and swallows a receiver's exception: the worker would answer the
            # events.* tasks and never deliver an event. Stop it instead, for a restart.
            log.error("dispatcher_not_started", error=repr(exc))
            raise SystemExit(f"events cannot start: {exc}") from exc
        threading.Thread(target=run, args=(stop,), name="event-dispatcher", daemon=True).start()

    def on_shutdown(**_: Any) -> None:
        stop.set()

    worker_ready.connect(on_ready, weak=False)
    worker_shutdown.connect(on_shutdown, weak=False)


_dispatch_while_the_worker_runs(app)
