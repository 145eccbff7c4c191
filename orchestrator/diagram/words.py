"""The words a chart and a text of a definition share: message names read from builders'
annotations, event names, reply lists and durations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from orchestrator.definition import SagaDefinition, no_event


def message_name(builder: Callable[..., Any] | None) -> str | None:
    """The message type a builder returns, read from its return annotation (``None`` for
    a lambda or a builder without one)."""
    returned = getattr(builder, "__annotations__", {}).get("return")
    if isinstance(returned, type):
        return str(getattr(returned, "message_type", returned.__name__))
    if isinstance(returned, str) and returned not in ("None", "Payload | None", "Payload"):
        return returned.split("|")[0].strip().rsplit(".", 1)[-1]
    return None


def named(function: Callable[..., Any]) -> str | None:
    name = getattr(function, "__name__", "")
    return None if not name or name == "<lambda>" else name


def seconds(value: float) -> str:
    """``24h``, ``5min``, ``10s``, ``0.5s``."""
    if value >= 3600 and value % 3600 == 0:
        return f"{value / 3600:g}h"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g}min"
    return f"{value:g}s"


def replies(types: Iterable[str]) -> str:
    return ", ".join(sorted(types))


def event_name(definition: SagaDefinition, builder: Callable[..., Any]) -> str:
    if builder is no_event:
        return "no event"
    named = message_name(builder)
    if named:
        return named
    known = [str(getattr(event, "message_type", event.__name__)) for event in definition.events]
    return " or ".join(known) or "an event"
