"""structlog set-up: JSON lines in production, readable console output locally.

Our own lines and the standard-library lines of Celery, kombu and SQLAlchemy go through
the same processors to one handler on stderr, so every line, whoever wrote it, is in one
format and carries what is bound in context variables: service, saga, order, correlation,
causation and message ids, step, task id (see ``messaging.log_context``).
"""

from __future__ import annotations

import logging
import sys

import structlog

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
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,  # no ExtraAdder: Celery puts task kwargs (PII) in extra
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.dict_tracebacks if json_lines else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
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


def _identity(
    _logger: object, _name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    return event_dict


def get_logger() -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger()
    return logger
