"""structlog set-up: JSON lines in production, readable console output locally.

Our own lines and the standard-library lines of Celery, kombu and SQLAlchemy go through
the same processors to one handler on stderr, so every line, whoever wrote it, is in one
format and carries what is bound in context variables: service, saga, order, correlation,
causation and message ids, step, task id (see ``messaging.log_context``).

No customer data: Celery's lines about a task carry what it returned and what it was given
(``Task reactor.crm.get_customer[...] succeeded in 0.01s: {'email': ...}``); ``TaskDataFilter``
replaces those values before any handler formats them, tracebacks are written without
the values of local variables (structlog shows them by default), and the values pydantic
shows in a validation error (``input_value=...``) are replaced in the finished line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import ExceptionRenderer

# Bound for every line; absent keys are written as null so that a log query can rely on
# the field being there (``saga_id is null`` = not about a saga).
CONTEXT_FIELDS = (
    "service",
    "saga_id",
    "order_id",
    "correlation_id",
    "causation_id",
    "message_id",
    "step",
)
# The values of Celery's task log lines (celery.app.trace, celery.worker.strategy) that are
# a task's data: what it returned, its arguments. Replaced, the line itself stays.
TASK_DATA = ("return_value", "args", "kwargs")
NOT_LOGGED = "<not logged>"
# pydantic's validation errors show the value that failed (a parked message's reason, an
# exception): "[type=value_error, input_value='ada@example', input_type=str]".
INPUT_VALUE = re.compile(r"input_value=.*?, input_type=")


class TaskDataFilter(logging.Filter):
    """Replaces a task's result and arguments in Celery's lines about it. Celery formats
    them from one dict (``logger.info(LOG_SUCCESS, context, extra={"data": context})``):
    the record's ``args``, and ``data`` for custom handlers. Every line is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping) and any(key in record.args for key in TASK_DATA):
            record.args = _redacted(record.args)
        data = getattr(record, "data", None)
        if isinstance(data, Mapping):
            record.data = _redacted(data)
        return True


def _redacted(values: Mapping[str, object]) -> dict[str, object]:
    return {key: NOT_LOGGED if key in TASK_DATA else value for key, value in values.items()}


def configure_logging(service: str, fmt: str = "console", level: str = "INFO") -> None:
    json_lines = fmt == "json"
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        _with_context_fields,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=_console_tracebacks()
        )
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,  # no ExtraAdder: Celery puts task kwargs (PII) in extra
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # the frames, never their local variables (an order, a customer)
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
            if json_lines
            else _identity,
            renderer,
            _without_input_values,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(TaskDataFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    for name in ("celery", "kombu", "amqp"):  # Celery adds its own handlers otherwise
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def _with_context_fields(
    _logger: object, _name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    for key in CONTEXT_FIELDS:
        event_dict.setdefault(key, None)
    return event_dict


def _without_input_values(
    _logger: object, _name: str, line: structlog.typing.EventDict
) -> structlog.typing.EventDict | str:
    """After the renderer, so ``line`` is the finished line (typed as structlog's
    processors are): pydantic's ``input_value=...`` replaced."""
    if isinstance(line, str):
        return INPUT_VALUE.sub(f"input_value={NOT_LOGGED}, input_type=", line)
    return line


def _console_tracebacks() -> ExceptionRenderer:
    try:
        import rich  # noqa: F401
    except ImportError:
        return structlog.dev.plain_traceback
    return structlog.dev.RichTracebackFormatter(show_locals=False)


def _identity(
    _logger: object, _name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    return event_dict


def get_logger() -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger()
    return logger
