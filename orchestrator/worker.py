"""The orchestrator worker and its task API (clients call these by name with ``send_task``).

Run: ``celery -A orchestrator.worker worker -Q orchestrator``; see docs/task-api.md.
"""

from __future__ import annotations

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
from messaging.outbox import add, publish_now
from messaging.service_app import ServiceApp
from orchestrator import sagas, store
from orchestrator.checkout import CHECKOUT
from orchestrator.definitions import DEFINITIONS

app = ServiceApp("orchestrator", store.metadata)
log = get_logger()


def _apply_reply(conn: Connection, message: Any) -> Any:
    return sagas.apply_reply(conn, DEFINITIONS, message)


handle_message = register_inbound_task(
    app, _apply_reply, resend_on_duplicate=False, on_duplicate=sagas.record_duplicate
)


def validate_order(order: dict[str, Any]) -> Order:
    try:
        return Order.model_validate(order)
    except ValidationError as exc:
        raise ValueError("invalid order: " + describe_validation_error(exc)) from None


@app.task(name="orchestrator.place_order", bind=True, ignore_result=False)
def place_order(self: Task, **order: Any) -> dict[str, Any]:
    """Validate and start a checkout saga. Same order_id twice: same saga."""
    valid = validate_order(order)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=app.service, order_id=valid.order_id)
    data = {"order": valid.model_dump(mode="json")}
    correlation_id = self.request.id or valid.order_id
    for _ in range(2):  # a concurrent first submission may win the unique key: read it then
        try:
            with app.engine.begin() as conn:
                started = sagas.start(conn, CHECKOUT, valid.order_id, data, correlation_id)
                ids = add(conn, started.outgoing)
            break
        except IntegrityError:
            continue
    publish_now(app.engine, app.publisher, ids)
    log.info("order_placed", saga_id=started.saga_id, created=started.created)
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
            return sagas.find(conn, saga_id=saga_id, order_id=order_id)
    except sagas.SagaNotFound as exc:
        raise LookupError(str(exc)) from None


@app.task(name="orchestrator.list_sagas", ignore_result=False)
def list_sagas(state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    with app.engine.begin() as conn:
        return sagas.listing(conn, state=state, limit=min(int(limit), 1000))
