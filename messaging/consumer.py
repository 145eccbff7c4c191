"""The one inbound task of a service: decode, deduplicate, handle in one transaction with
the outbox, publish after commit. Bad messages are parked, never dropped, never fatal."""

from __future__ import annotations

import json
import random
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from celery import Task
from sqlalchemy import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from messaging import dead_letters, inbox, outbox
from messaging.codec import MalformedMessage, Message, decode
from messaging.contracts import Payload
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from messaging.routing import inbound_task
from messaging.service_app import ServiceApp
from messaging.subscriptions import DELIVERY_KWARG

Handler = Callable[[Connection, Message[Payload]], Sequence[OutgoingMessage]]
DuplicateHook = Callable[[Connection, Message[Payload]], None]
# Records that a numbered copy (messaging.subscriptions) was seen: with the effect when it
# is handled, on its own when it fails, so a retrying copy is never taken for a lost one.
DeliveryHook = Callable[[Connection, Mapping[str, Any], str | None], None]

MAX_ATTEMPTS = 8
log = get_logger()


class Conflict(Exception):
    """Another process changed the same row first: retry with fresh state."""


def backoff(attempt: int, base: float = 0.2, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2**attempt))


@dataclass(frozen=True)
class Policy:
    """How a service's inbound task treats messages.

    ``resend_on_duplicate``: answer a redelivered message with the same messages again
    (participants: the first reply may have been lost). ``on_duplicate`` may record the
    redelivery (in the same transaction) where operators will look for it. ``on_delivery``
    records a numbered copy's ``delivery`` (reactors)."""

    resend_on_duplicate: bool
    on_duplicate: DuplicateHook | None = None
    on_delivery: DeliveryHook | None = None
    max_attempts: int = MAX_ATTEMPTS
    retry_base: float = 0.2


def register_inbound_task(
    app: ServiceApp,
    handler: Handler,
    *,
    resend_on_duplicate: bool,
    on_duplicate: DuplicateHook | None = None,
    on_delivery: DeliveryHook | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    retry_base: float = 0.2,
) -> Task:
    """The service's ``<service>.handle_message`` task and its dead-letter tasks."""
    policy = Policy(resend_on_duplicate, on_duplicate, on_delivery, max_attempts, retry_base)
    accepted = {"message", DELIVERY_KWARG} if on_delivery else {"message"}

    @app.task(name=inbound_task(app.service), bind=True, ignore_result=True, max_retries=None)
    def handle_message(self: Task, *args: Any, **kwargs: Any) -> None:
        raw = kwargs.get("message")
        if args or set(kwargs) - accepted:
            body = {"args": list(args), "kwargs": kwargs}
            _park(app, self, body, "expected a single keyword argument 'message'")
            return
        delivery = kwargs.get(DELIVERY_KWARG)
        consume(app, self, handler, raw, policy, delivery if isinstance(delivery, dict) else None)

    @app.task(name=f"{app.service}.dead_letters", ignore_result=False)
    def list_dead_letters(limit: int = 100) -> dict[str, Any]:
        """Parked messages of this service, newest first, and how many are parked."""
        letters = dead_letters.list_parked(app.engine, limit=min(int(limit), 1000))
        return {
            "service": app.service,
            "parked": dead_letters.count_parked(app.engine),
            "dead_letters": [
                {**asdict(letter), "parked_at": letter.parked_at.isoformat()} for letter in letters
            ],
        }

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
        return {"service": app.service, "replayed": replayed, "not_replayable": skipped}

    return handle_message


def consume(
    app: ServiceApp,
    task: Task,
    handler: Handler,
    raw: Any,
    policy: Policy,
    delivery: Mapping[str, Any] | None = None,
) -> None:
    # task_prerun bound the ids from the headers; the envelope is authoritative
    structlog.contextvars.bind_contextvars(service=app.service, task_id=task.request.id)
    try:
        message = decode(raw)
    except MalformedMessage as exc:
        _note_delivery(app, policy, delivery, None)
        _park(app, task, raw, str(exc))
        return
    except Exception as exc:  # a decoder bug must not lose the message either
        log.exception("decode_error")
        _note_delivery(app, policy, delivery, None)
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
    order_id = getattr(message.payload, "order_id", None)
    if order_id is not None:  # else the header's, or the saga's (bound when it is loaded)
        structlog.contextvars.bind_contextvars(order_id=order_id)
    attempt = task.request.retries or 0
    retries, base = policy.max_attempts, policy.retry_base
    try:
        rows = _handle_once(app, handler, message, policy, delivery)
    except MalformedMessage as exc:  # valid shape, but the handler cannot place it
        _note_delivery(app, policy, delivery, env.message_id)
        _park(app, task, raw, str(exc))
        return
    except (IntegrityError, DataError) as exc:  # retrying will not change the data
        log.exception("data_error")
        _note_delivery(app, policy, delivery, env.message_id)
        _retry_or_park(app, task, raw, attempt, f"data error: {exc!r}", min(3, retries), base)
        return
    except (OperationalError, DBAPIError, Conflict, OSError) as exc:  # OSError: SMTP, sockets
        _note_delivery(app, policy, delivery, env.message_id)
        _retry_or_park(app, task, raw, attempt, f"transient: {exc!r}", retries, base)
        return
    except Exception as exc:  # a bug: retry a few times, then park with the traceback
        log.exception("handler_error")
        _note_delivery(app, policy, delivery, env.message_id)
        reason = f"handler error: {exc!r}\n{traceback.format_exc()}"
        _retry_or_park(app, task, raw, attempt, reason, min(3, retries), base)
        return
    outbox.publish_now(app.engine, app.publisher, rows)
    log.debug("message_handled", published=len(rows))


def _handle_once(
    app: ServiceApp,
    handler: Handler,
    message: Message[Payload],
    policy: Policy,
    delivery: Mapping[str, Any] | None,
) -> list[outbox.PendingRow]:
    env = message.envelope
    resend = policy.resend_on_duplicate
    with app.engine.begin() as conn:
        if delivery is not None and policy.on_delivery is not None:
            policy.on_delivery(conn, delivery, env.message_id)
        if not inbox.claim(conn, env.message_id, env.type):
            log.info("duplicate_message", resend=resend)
            if policy.on_duplicate is not None:
                policy.on_duplicate(conn, message)
            if not resend:
                return []
            return outbox.add_raw(conn, inbox.stored_response(conn, env.message_id))
        outgoing = handler(conn, message)
        if resend:  # kept to answer a redelivery with the same messages
            inbox.store_response(conn, env.message_id, outbox.as_stored(outgoing))
        return outbox.add(conn, outgoing)


def _note_delivery(
    app: ServiceApp, policy: Policy, delivery: Mapping[str, Any] | None, message_id: str | None
) -> None:
    """A numbered copy that failed was still received: its retries (or its dead letter)
    carry it on, so it must not be asked for again. Best effort: if the store is down,
    the copy is asked for again later and the inbox absorbs it."""
    if delivery is None or policy.on_delivery is None:
        return
    try:
        with app.engine.begin() as conn:
            policy.on_delivery(conn, delivery, message_id)
    except Exception:
        log.warning("delivery_not_noted", delivery=dict(delivery))


def _retry_or_park(
    app: ServiceApp, task: Task, raw: Any, attempt: int, reason: str, limit: int, base: float
) -> None:
    if attempt + 1 < limit:
        delay = backoff(attempt, base=base)
        log.warning("retrying", attempt=attempt + 1, delay=round(delay, 3), reason=reason[:500])
        raise task.retry(countdown=delay, max_retries=limit)
    _park(app, task, raw, f"gave up after {attempt + 1} attempts: {reason}")


def _park(app: ServiceApp, task: Task, raw: Any, reason: str) -> None:
    """Park the message. If even that fails (its store is down), do not let Celery ack it:
    re-queue it through a retry, slowly, until the store is back."""
    try:
        letter_id = dead_letters.park(app.engine, task_name=task.name, body=raw, reason=reason)
    except Exception as exc:
        log.exception("parking_failed", reason=reason[:500])
        raise task.retry(countdown=backoff(10), max_retries=None, exc=exc) from exc
    log.error("message_parked", dead_letter_id=letter_id, reason=reason[:500])
