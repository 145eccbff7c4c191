"""The small pieces every console view is made of: times in UTC, aligned columns, short
message ids, a saga's name and summary, a failure in words. Pure functions over the read
models (messaging/contracts/read_models.py); sagactl, the web view and the demo share them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from messaging.contracts.read_models import SagaSummary

REASON_WIDTH = 80


def utc(at: datetime) -> datetime:
    """An aware UTC datetime (a naive one, as SQLite stores them, is UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def clock(at: datetime) -> str:
    """``HH:MM:SS.mmm``, UTC."""
    return utc(at).strftime("%H:%M:%S.%f")[:-3]


def stamp(at: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm``, UTC; ``-`` if there is none."""
    return utc(at).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if at else "-"


def since_ms(at: datetime, start: datetime | None) -> int:
    """Whole milliseconds from ``start`` to ``at`` (0 without a start)."""
    return round((utc(at) - utc(start)).total_seconds() * 1000) if start else 0


def seconds(value: Any) -> str:
    """A number of seconds as ``2s``, ``0.25s`` (as given if it is not a number)."""
    try:
        return f"{float(value):g}s"
    except (TypeError, ValueError):
        return str(value)


def columns(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows of cells as aligned lines; the cells of the columns in ``right`` right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def first_line(text: str, width: int = REASON_WIDTH) -> str:
    """The first non-blank line of ``text``, cut to ``width`` characters (``...`` if cut)."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def short_id(message_id: str | None) -> str:
    """The first 8 characters of a message id (as on a timeline line), ``-`` if none."""
    return str(message_id)[:8] if message_id else "-"


def short_ids(message_ids: str | None) -> str:
    """``c4d8aa52, 5789e305``: each of comma-separated message ids (a parallel group
    waits on several), short; ``-`` if none."""
    ids = [part.strip() for part in str(message_ids or "").split(",") if part.strip()]
    return ", ".join(short_id(m) for m in ids) or "-"


def describe_failure(failure: Mapping[str, Any]) -> str:
    """``code: reason`` (the reason alone if the code says nothing more). A failure is the
    definition's own dict (``SagaView.failure``, a reply's payload): its keys may be absent."""
    code, reason = failure.get("code"), failure.get("reason")
    if code and reason and code != reason:
        return f"{code}: {reason}"
    return str(reason or code or "")


def saga_name(saga: SagaSummary) -> str:
    """``checkout ord-1``; ``returns ret-7 (for ord-1)`` for a saga with a parent."""
    name = f"{saga.definition} {saga.business_key}"
    return name + (f" (for {saga.parent_key})" if saga.parent_key else "")


def summary_text(saga: SagaSummary) -> str:
    """The definition's summary of a saga: ``customer cus-1, total 30.00 EUR``."""
    return ", ".join(f"{label} {value}" for label, value in saga.summary.items())


def saga_keys(saga: SagaSummary) -> frozenset[str]:
    """The saga's business and parent keys: a reply repeating them says nothing new."""
    return frozenset(key for key in (saga.business_key, saga.parent_key) if key)
