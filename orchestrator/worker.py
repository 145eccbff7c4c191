"""The orchestrator worker and its task API (clients call these by name with ``send_task``).

Run: ``celery -A orchestrator.worker worker -Q orchestrator``; see docs/task-api.md.
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from typing import Any

import structlog
from celery import Task
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from messaging.codec import describe_validation_error
from messaging.consumer import register_inbound_task
from messaging.contracts.orders import Order
from messaging.logs import get_logger
from messaging.outbox import PendingRow, add, publish_now
from messaging.service_app import ServiceApp
from orchestrator import saga_queries, sagas, store
from orchestrator.checkout import CHECKOUT
from orchestrator.definition import SagaDefinition, scaled
from orchestrator.definitions import DEFINITIONS

app = ServiceApp("orchestrator", store.metadata)
log = get_logger()


@functools.cache
def definitions() -> dict[str, SagaDefinition]:
    """The definitions this process runs. SAGA_POLICY_SCALE multiplies every timeout and
    retry delay (1 by default; tests and drills use less)."""
    factor = float(os.environ.get("SAGA_POLICY_SCALE", "1"))
    return {name: scaled(definition, factor) for name, definition in DEFINITIONS.items()}


def _apply_reply(conn: Connection, message: Any) -> Any:
    return sagas.apply_reply(conn, definitions(), message)


handle_message = register_inbound_task(
    app, _apply_reply, resend_on_duplicate=False, on_duplicate=sagas.record_duplicate
)


def validate_order(order: dict[str, Any]) -> Order:
    try:
        return Order.model_validate(order)
    except ValidationError as exc:
        raise ValueError("invalid order: " + describe_validation_error(exc)) from None


def _start(
    order: Order, data: dict[str, Any], correlation_id: str
) -> tuple[sagas.Started, list[PendingRow]]:
    with app.engine.begin() as conn:
        started = sagas.start(
            conn, definitions()[CHECKOUT.name], order.order_id, data, correlation_id
        )
        return started, add(conn, started.outgoing)


@app.task(name="orchestrator.place_order", bind=True, ignore_result=False)
def place_order(self: Task, **order: Any) -> dict[str, Any]:
    """Validate and start a checkout saga. Same order_id twice: same saga."""
    valid = validate_order(order)
    structlog.contextvars.bind_contextvars(order_id=valid.order_id, correlation_id=self.request.id)
    data = {
        "order": valid.model_dump(mode="json"),
        # recorded per saga, so an audit shows why an order was (not) reviewed
        "review_threshold_cents": int(os.environ.get("SAGA_REVIEW_THRESHOLD_CENTS", "100000")),
    }
    correlation_id = self.request.id or valid.order_id
    try:
        started, rows = _start(valid, data, correlation_id)
    except IntegrityError:  # a concurrent first submission won the unique key: read it now
        started, rows = _start(valid, data, correlation_id)
    publish_now(app.engine, app.publisher, rows)
    structlog.contextvars.bind_contextvars(saga_id=started.saga_id)
    log.info("order_placed", created=started.created)
    return {
        "saga_id": started.saga_id,
        "order_id": started.order_id,
        "state": started.state,
        "duplicate": not started.created,
    }


@app.task(name="orchestrator.get_saga", ignore_result=False)
def get_saga(saga_id: str | None = None, order_id: str | None = None) -> dict[str, Any]:
    """State, current step, steps, data and history of one saga.

    Errors are builtin exception types, so a client without our code can catch them.
    """
    try:
        with app.engine.begin() as conn:
            return saga_queries.find(conn, saga_id=saga_id, order_id=order_id)
    except saga_queries.SagaNotFound as exc:
        raise LookupError(str(exc)) from None


@app.task(name="orchestrator.list_sagas", ignore_result=False)
def list_sagas(state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    with app.engine.begin() as conn:
        return saga_queries.listing(conn, state=state, limit=min(int(limit), 1000))


@app.task(name="orchestrator.saga_counts", ignore_result=False)
def saga_counts() -> dict[str, int]:
    """How many sagas are in each state (states with none are left out)."""
    with app.engine.begin() as conn:
        return saga_queries.counts(conn)


def _operator(action: Any, saga_id: str, *args: Any) -> dict[str, Any]:
    structlog.contextvars.bind_contextvars(saga_id=saga_id)
    try:
        with app.engine.begin() as conn:
            outgoing = action(conn, definitions(), saga_id, *args)
            rows = add(conn, outgoing)
            saga = saga_queries.find(conn, saga_id=saga_id)
    except saga_queries.SagaNotFound as exc:
        raise LookupError(str(exc)) from None
    except sagas.NotApplicable as exc:
        raise ValueError(str(exc)) from None
    publish_now(app.engine, app.publisher, rows)
    return {"saga_id": saga_id, "state": saga["state"], "current_step": saga["current_step"]}


@app.task(name="orchestrator.retry_saga", ignore_result=False)
def retry_saga(saga_id: str) -> dict[str, Any]:
    """Resume a `failed` saga from the step that failed, after the cause was fixed."""
    log.info("operator_retry", saga_id=saga_id)
    return _operator(sagas.retry, saga_id)


@app.task(name="orchestrator.cancel_saga", ignore_result=False)
def cancel_saga(saga_id: str, reason: str = "cancelled by an operator") -> dict[str, Any]:
    """Compensate a running saga; a command in flight is let finish first."""
    log.info("operator_cancel", saga_id=saga_id, reason=reason)
    return _operator(sagas.cancel, saga_id, reason)


@app.task(name="orchestrator.stuck_sagas", ignore_result=False)
def stuck_sagas(limit: int = 100) -> list[dict[str, Any]]:
    """Running or compensating sagas past a step deadline."""
    with app.engine.begin() as conn:
        return saga_queries.stuck(conn, datetime.now(UTC), limit=min(int(limit), 1000))


@app.task(name="orchestrator.approve_saga", ignore_result=False)
def approve_saga(saga_id: str, by: str = "an operator") -> dict[str, Any]:
    """Approve an order awaiting review: the card is charged next."""
    log.info("operator_approve", saga_id=saga_id, by=by)
    return _operator(sagas.decide, saga_id, True, by)


@app.task(name="orchestrator.reject_saga", ignore_result=False)
def reject_saga(saga_id: str, reason: str) -> dict[str, Any]:
    """Reject an order awaiting review: what was reserved is released."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("a rejection needs a reason")
    log.info("operator_reject", saga_id=saga_id, reason=reason)
    return _operator(sagas.decide, saga_id, False, reason.strip())
