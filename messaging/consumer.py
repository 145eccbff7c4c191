"""The one inbound task of a service: decode, deduplicate, handle in one transaction with
the outbox, publish after commit. Bad messages are parked, never dropped, never fatal."""

from __future__ import annotations

import json
import random
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import structlog
from celery import Task
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from messaging import dead_letters, inbox, outbox, retention
from messaging.codec import MalformedMessage, Message, decode
from messaging.contracts import Payload
from messaging.contracts.read_models import (
    DeadLetters,
    DeadLetterView,
    ReplayResult,
    RetentionReport,
    StoreFigures,
)
from messaging.handlers import Handler
from messaging.logs import get_logger
from messaging.outbox import Marks, Publisher
from messaging.routing import inbound_task
from messaging.service_app import ServiceApp
from messaging.subscriptions import DELIVERY_KWARG

DuplicateHook = Callable[[Connection, Message[Payload]], None]
# Records that a numbered copy (messaging.subscriptions) was seen: with the effect when it
# is handled, on its own when it fails, so a retrying copy is never taken for a lost one.
DeliveryHook = Callable[[Connection, Mapping[str, Any], str | None], None]

MAX_ATTEMPTS = 8
FEW_ATTEMPTS = 3  # a bug or data the store refuses: retrying rarely helps
log = get_logger()


class Conflict(Exception):
    """Another process changed the same row first: retry with fresh state."""


def backoff(attempt: int, base: float = 0.2, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2**attempt))


@dataclass(frozen=True)
class Policy:
    """How a service's inbound task treats messages: every option of
    ``register_inbound_task`` in one value, chosen once per service.

    ``resend_on_duplicate``: answer a redelivered message with the same messages again
    (participants: the first reply may have been lost). ``on_duplicate`` may record the
    redelivery (in the same transaction) where operators will look for it. ``on_delivery``
    records a numbered copy's ``delivery`` (reactors). A transient failure is retried up
    to ``max_attempts`` attempts in all, after about ``retry_base`` x 2^n seconds."""

    resend_on_duplicate: bool
    on_duplicate: DuplicateHook | None = None
    on_delivery: DeliveryHook | None = None
    max_attempts: int = MAX_ATTEMPTS
    retry_base: float = 0.2


# The participants' policy: a redelivered command is answered with its stored reply.
PARTICIPANT = Policy(resend_on_duplicate=True)


class Endpoint(Protocol):
    """What ``consume`` needs of a service: its name, its store, its publisher. A
    ServiceApp in a worker; a store and a publisher that keeps what it is given in the
    service tests (no broker)."""

    @property
    def service(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def publisher(self) -> Publisher: ...

    @property
    def marks(self) -> Marks | None: ...


@dataclass(frozen=True)
class Inbound:
    """A service's inbound side, fixed when its task is registered: where a message is
    handled (``app``), by what (``handler``: for a participant, its registry) and how."""

    app: Endpoint
    handler: Handler
    policy: Policy


def register_inbound_task(app: ServiceApp, handler: Handler, policy: Policy) -> Task:
    """The service's ``<service>.handle_message`` task and its dead-letter tasks."""
    inbound = Inbound(app, handler, policy)
    accepted = {"message", DELIVERY_KWARG} if policy.on_delivery else {"message"}

    @app.task(name=inbound_task(app.service), bind=True, ignore_result=True, max_retries=None)
    def handle_message(self: Task, *args: Any, **kwargs: Any) -> None:
        raw = kwargs.get("message")
        if args or set(kwargs) - accepted:
            body = {"args": list(args), "kwargs": kwargs}
            _park(app, self, body, "expected a single keyword argument 'message'")
            return
        delivery = kwargs.get(DELIVERY_KWARG)
        consume(inbound, self, raw, delivery if isinstance(delivery, dict) else None)

    @app.task(name=f"{app.service}.dead_letters", ignore_result=False)
    def list_dead_letters(limit: int = 100) -> dict[str, Any]:
        """Parked messages of this service, newest first, and how many are parked."""
        letters = dead_letters.list_parked(app.engine, limit=min(int(limit), 1000))
        listing = DeadLetters(
            service=app.service,
            parked=dead_letters.count_parked(app.engine),
            dead_letters=[DeadLetterView.model_validate(asdict(letter)) for letter in letters],
        )
        return listing.model_dump(mode="json")

    @app.task(name=f"{app.service}.store_figures", ignore_result=False)
    def store_figures() -> dict[str, Any]:
        """This service's own figures, for saga-metrics: parked dead letters and messages
        handled (the inbox). Each service answers for its store; nobody else opens it."""
        figures = StoreFigures(
            service=app.service,
            dead_letters_parked=dead_letters.count_parked(app.engine),
            handled=inbox.count(app.engine),
        )
        return figures.model_dump(mode="json")

    @app.task(name=f"{app.service}.retention", ignore_result=False)
    def retention_report() -> dict[str, Any]:
        """Per table of this service's store: rows held, the oldest, what the next
        retention run would delete, the setting in force."""
        tables = retention.report(app.engine, app.retention, app.retention_reports)
        answer = RetentionReport(
            service=app.service, tables=tables, export_dir=app.retention.export_dir
        )
        return answer.model_dump(mode="json")

    @app.task(name=f"{app.service}.replay_dead_letters", ignore_result=False)
    def replay_dead_letters(ids: list[int] | None = None) -> dict[str, Any]:
        """Re-drive parked messages (all of them when ``ids`` is None) through this
        service's inbound task, after the cause was fixed."""
        letters = dead_letters.take_for_replay(app.engine, ids, handle_message.name)
        replayed = []
        for letter in letters:
            try:
                body = json.loads(letter.body)
            except ValueError:
                body = letter.body
            handle_message.apply_async(kwargs={"message": body}, queue=app.service)
            dead_letters.mark_replayed(app.engine, letter.id)
            replayed.append(letter.id)
        log.info("dead_letters_replayed", ids=replayed)
        skipped = sorted(set(ids or ()) - set(replayed))
        result = ReplayResult(service=app.service, replayed=replayed, not_replayable=skipped)
        return result.model_dump(mode="json")

    return handle_message


def consume(
    inbound: Inbound, task: Task, raw: Any, delivery: Mapping[str, Any] | None = None
) -> None:
    """Decode, deduplicate and handle one message in one transaction with the outbox, then
    publish after commit. Whatever cannot be handled is parked, at once or after retries
    (``task.retry``), never dropped; docs/architecture.md#the-message-flow has the table."""
    app = inbound.app
    # task_prerun bound the ids from the headers; the envelope is authoritative
    structlog.contextvars.bind_contextvars(service=app.service, task_id=task.request.id)
    try:
        message = decode(raw, app.service)
    except MalformedMessage as exc:
        _note_delivery(inbound, delivery, None)
        _park(app, task, raw, str(exc))
        return
    except Exception as exc:  # a decoder bug must not lose the message either
        log.exception("decode_error")
        _note_delivery(inbound, delivery, None)
        _park(app, task, raw, f"cannot decode: {exc!r}")
        return
    env = message.envelope
    structlog.contextvars.bind_contextvars(
        saga_id=env.saga_id,
        correlation_id=env.correlation_id,
        causation_id=env.causation_id,
        message_id=env.message_id,
        message_type=env.type,
        step=env.step,
    )
    if message.upcast:  # written by an older sender: handled as the reader's version
        log.info(
            "message_upcast",
            arrived_version=message.arrived_version,
            read_version=message.payload.schema_version,
        )
    order_id = getattr(message.payload, "order_id", None)
    if order_id is not None:  # else the header's, or the saga's (bound when it is loaded)
        structlog.contextvars.bind_contextvars(order_id=order_id)
    few = min(FEW_ATTEMPTS, inbound.policy.max_attempts)
    try:
        rows = _handle_once(inbound, message, delivery)
    except MalformedMessage as exc:  # valid shape, but the handler cannot place it
        _note_delivery(inbound, delivery, env.message_id)
        _park(app, task, raw, str(exc))
        return
    except (IntegrityError, DataError) as exc:  # retrying will not change the data
        log.exception("data_error")
        _note_delivery(inbound, delivery, env.message_id)
        _retry_or_park(inbound, task, raw, f"data error: {exc!r}", few)
        return
    except (OperationalError, DBAPIError, Conflict, OSError) as exc:  # OSError: SMTP, sockets
        _note_delivery(inbound, delivery, env.message_id)
        _retry_or_park(inbound, task, raw, f"transient: {exc!r}", inbound.policy.max_attempts)
        return
    except Exception as exc:  # a bug: retry a few times, then park with the traceback
        log.exception("handler_error")
        _note_delivery(inbound, delivery, env.message_id)
        reason = f"handler error: {exc!r}\n{traceback.format_exc()}"
        _retry_or_park(inbound, task, raw, reason, few)
        return
    outbox.publish_now(app.engine, app.publisher, rows, app.marks)
    log.debug("message_handled", published=len(rows))


def _handle_once(
    inbound: Inbound, message: Message[Payload], delivery: Mapping[str, Any] | None
) -> list[outbox.PendingRow]:
    env, policy = message.envelope, inbound.policy
    resend = policy.resend_on_duplicate
    with inbound.app.engine.begin() as conn:
        if delivery is not None and policy.on_delivery is not None:
            policy.on_delivery(conn, delivery, env.message_id)
        if not inbox.claim(conn, env.message_id, env.type):
            log.info("duplicate_message", resend=resend)
            if policy.on_duplicate is not None:
                policy.on_duplicate(conn, message)
            if not resend:
                return []
            return outbox.add_raw(conn, inbox.stored_response(conn, env.message_id))
        outgoing = inbound.handler(conn, message)
        if resend:  # kept to answer a redelivery with the same messages
            inbox.store_response(conn, env.message_id, outbox.as_stored(outgoing))
        return outbox.add(conn, outgoing)


def _note_delivery(
    inbound: Inbound, delivery: Mapping[str, Any] | None, message_id: str | None
) -> None:
    """A numbered copy that failed was still received: its retries (or its dead letter)
    carry it on, so it must not be asked for again. Best effort: if the store is down,
    the copy is asked for again later and the inbox absorbs it."""
    record = inbound.policy.on_delivery
    if delivery is None or record is None:
        return
    try:
        with inbound.app.engine.begin() as conn:
            record(conn, delivery, message_id)
    except Exception:
        log.warning("delivery_not_noted", delivery=dict(delivery))


def _retry_or_park(inbound: Inbound, task: Task, raw: Any, reason: str, limit: int) -> None:
    """Retry on the task's own queue, at most ``limit`` attempts in all; then park."""
    attempt = task.request.retries or 0
    if attempt + 1 < limit:
        delay = backoff(attempt, base=inbound.policy.retry_base)
        log.warning("retrying", attempt=attempt + 1, delay=round(delay, 3), reason=reason[:500])
        raise task.retry(countdown=delay, max_retries=limit)
    _park(inbound.app, task, raw, f"gave up after {attempt + 1} attempts: {reason}")


def _park(app: Endpoint, task: Task, raw: Any, reason: str) -> None:
    """Park the message. If even that fails (its store is down), do not let Celery ack it:
    re-queue it through a retry, slowly, until the store is back."""
    try:
        letter_id = dead_letters.park(app.engine, task_name=task.name, body=raw, reason=reason)
    except Exception as exc:
        log.exception("parking_failed", reason=reason[:500])
        raise task.retry(countdown=backoff(10), max_retries=None, exc=exc) from exc
    log.error("message_parked", dead_letter_id=letter_id, reason=reason[:500])
