"""The ids every log line carries, and how they travel: in message headers, so that
Celery's own lines about a message (received, succeeded, retry) carry them too, before
our code has decoded anything."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

# message header -> log field
HEADER_FIELDS = {
    "saga_id": "saga_id",
    "saga_order_id": "order_id",
    "saga_correlation_id": "correlation_id",  # not correlation_id: Celery owns that name
    "saga_causation_id": "causation_id",
    "saga_step": "step",
    "message_type": "message_type",
}


def log_headers(body: Mapping[str, Any]) -> dict[str, Any]:
    """The headers of a message with this envelope body."""
    payload = body.get("payload")
    order_id = payload.get("order_id") if isinstance(payload, Mapping) else None
    return {
        "saga_id": body.get("saga_id"),
        "saga_order_id": order_id,
        "saga_correlation_id": body.get("correlation_id"),
        "saga_causation_id": body.get("causation_id"),
        "saga_step": body.get("step"),
        "message_type": body.get("type"),
    }


def summary(body: Mapping[str, Any]) -> str:
    """A message's identity, as Celery's ``kwargsrepr`` (Flower, task events)."""
    keys = ("type", "message_id", "saga_id", "step")
    return repr({"message": {key: body.get(key) for key in keys}})


def bind_task_context(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """task_prerun: a fresh log context for each task, from its message's headers. The
    message id is the task id (the outbox publishes each message under its own id)."""
    structlog.contextvars.clear_contextvars()
    if task is None:
        return
    request = task.request
    headers = getattr(request, "headers", None) or {}
    fields: dict[str, Any] = {
        "service": getattr(task.app, "service", None),
        "task_id": task_id,
        "task_name": task.name,
        "message_id": task_id,
    }
    for header, field in HEADER_FIELDS.items():
        value = getattr(request, header, None)
        fields[field] = value if value is not None else headers.get(header)
    structlog.contextvars.bind_contextvars(**fields)
