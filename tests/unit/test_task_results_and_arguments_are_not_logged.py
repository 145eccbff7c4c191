"""Celery logs every task's result ("Task ... succeeded in 0.01s: <result>") and keeps its
arguments beside it: through our logging set-up the line stays, the customer does not.
A traceback is written without the values of local variables, a validation error without
the value that failed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from celery.app import trace
from pydantic import ValidationError

from messaging.contracts.orders import Customer
from messaging.logs import NOT_LOGGED, TaskDataFilter, configure_logging

CUSTOMER = {"id": "cus-1", "email": "ada@example.com", "name": "Ada Lovelace"}
STREET = "12 St James's Square"


@pytest.fixture
def json_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """configure_logging("crm", "json") writing to a buffer; the root logger, Celery's
    loggers and structlog as they were afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    celery_loggers = {name: logging.getLogger(name) for name in ("celery", "kombu", "amqp")}
    saved_celery = {name: (lg.handlers[:], lg.propagate) for name, lg in celery_loggers.items()}
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("crm", "json", "INFO")
    try:
        yield stream
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
        for name, (handlers, propagate) in saved_celery.items():
            celery_loggers[name].handlers = handlers
            celery_loggers[name].propagate = propagate
        logging.captureWarnings(False)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_success_line_of_a_read_keeps_the_task_and_drops_its_result(
    json_log: io.StringIO,
) -> None:
    # exactly what celery.app.trace does when a task returns
    trace.info(
        trace.LOG_SUCCESS,
        {
            "id": "t-1",
            "name": "reactor.crm.get_customer",
            "return_value": repr({**CUSTOMER, "line1": STREET}),
            "runtime": 0.01,
            "args": "()",
            "kwargs": repr({"customer_id": "cus-1", "shipping_address": {"line1": STREET}}),
        },
    )

    [line] = _lines(json_log)
    assert line["event"] == f"Task reactor.crm.get_customer[t-1] succeeded in 0.01s: {NOT_LOGGED}"
    assert line["logger"] == "celery.app.trace"
    text = json_log.getvalue()
    for value in (*CUSTOMER.values(), STREET):
        if value != "cus-1":
            assert value not in text


def test_a_traceback_names_the_frames_and_not_their_locals(json_log: io.StringIO) -> None:
    customer = dict(CUSTOMER)  # a local of the failing frame
    try:
        raise RuntimeError(f"no such customer {customer['id']}")
    except RuntimeError:
        logging.getLogger("celery.app.trace").exception("Task failed")

    [line] = _lines(json_log)
    frames = line["exception"][0]["frames"]
    assert frames and all("locals" not in frame for frame in frames)
    assert "ada@example.com" not in json_log.getvalue()


def test_the_filter_replaces_the_task_data_of_any_record_and_keeps_the_rest() -> None:
    context = {"id": "t-2", "name": "orchestrator.get_saga", "args": "('x',)", "kwargs": "{}"}
    record = logging.LogRecord(
        "celery.worker.strategy", logging.INFO, __file__, 1, trace.LOG_RECEIVED, (context,), None
    )
    record.data = context

    assert TaskDataFilter().filter(record)

    hidden = {
        "id": "t-2",
        "name": "orchestrator.get_saga",
        "args": NOT_LOGGED,
        "kwargs": NOT_LOGGED,
    }
    assert record.args == hidden
    assert getattr(record, "data", None) == hidden
    assert record.getMessage() == "Task orchestrator.get_saga[t-2] received"
    assert context["args"] == "('x',)"  # Celery's own dict is not changed under it
    plain = logging.LogRecord("app", logging.INFO, __file__, 1, "%s and %s", ("a", "b"), None)
    assert TaskDataFilter().filter(plain)
    assert plain.getMessage() == "a and b"


def test_a_validation_error_is_logged_without_the_value_that_failed(
    json_log: io.StringIO,
) -> None:
    log = structlog.get_logger()
    try:
        Customer(id="cus-1", email="ada lovelace@example.com", name="Ada Lovelace")
    except ValidationError as exc:  # a malformed message, as the consumer parks it
        log.error("message_parked", reason=f"cannot decode: {exc!r}"[:500])
        log.exception("decode_error")

    parked, failed = _lines(json_log)
    assert f"input_value={NOT_LOGGED}, input_type=str" in parked["reason"]
    assert "email" in parked["reason"]  # the field that failed is still named
    assert failed["exception"][0]["exc_type"] == "ValidationError"
    assert "ada lovelace@example.com" not in json_log.getvalue()
