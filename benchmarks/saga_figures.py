"""What the stores say about a set of sagas: when each ended, how long each step took,
and when each reactor took the saga's event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Engine, select

from messaging.contracts.saga_status import TERMINAL_STATUSES
from messaging.tables import inbox
from orchestrator.event_tables import event_log
from orchestrator.saga_store.tables import saga_history, sagas


def ts(value: datetime) -> float:
    """Wall time of a stored datetime (SQLite keeps no zone: UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Ended:
    saga_id: str
    status: str
    at: float  # the saga row's last update: the transition that ended it


def ended(engine: Engine, order_ids: Sequence[str]) -> dict[str, Ended]:
    found = {}
    columns = (sagas.c.business_key, sagas.c.saga_id, sagas.c.status, sagas.c.updated_at)
    with engine.begin() as conn:
        for chunk in chunks(order_ids):
            query = select(*columns).where(
                sagas.c.business_key.in_(chunk), sagas.c.status.in_(sorted(TERMINAL_STATUSES))
            )
            for row in conn.execute(query):
                found[row.business_key] = Ended(row.saga_id, row.status, ts(row.updated_at))
    return found


def step_latencies(engine: Engine, saga_ids: Sequence[str]) -> dict[str, list[float]]:
    """Per step: command written to the outbox -> its reply applied (both orchestrator
    transactions, so queueing, the participant's work and both publishes are in it)."""
    sent: dict[tuple[str, str], float] = {}
    applied: dict[tuple[str, str], float] = {}
    query_columns = (saga_history.c.saga_id, saga_history.c.kind, saga_history.c.step)
    with engine.begin() as conn:
        for chunk in chunks(saga_ids):
            query = select(*query_columns, saga_history.c.at).where(
                saga_history.c.saga_id.in_(chunk),
                saga_history.c.kind.in_(("command_sent", "reply_applied")),
            )
            for row in conn.execute(query):
                target = sent if row.kind == "command_sent" else applied
                target.setdefault((row.saga_id, row.step), ts(row.at))
    steps: dict[str, list[float]] = defaultdict(list)
    for key, at in applied.items():
        if key in sent:
            steps[key[1]].append(at - sent[key])
    return dict(steps)


def events_of(engine: Engine, saga_ids: Sequence[str]) -> dict[str, float]:
    """event id -> when the orchestrator wrote it (OrderConfirmed, in the final transaction)."""
    columns = event_log.c.event_id, event_log.c.created_at
    return _times(engine, *columns, event_log.c.saga_id, saga_ids)


def taken(engine: Engine, event_ids: Sequence[str]) -> dict[str, float]:
    """event id -> when a reactor claimed it, in the transaction that commits its effect."""
    return _times(engine, inbox.c.message_id, inbox.c.received_at, inbox.c.message_id, event_ids)


def _times(
    engine: Engine, key: Column[Any], at: Column[Any], where: Column[Any], values: Sequence[str]
) -> dict[str, float]:
    """key -> at (epoch seconds) of the rows whose ``where`` is in ``values``."""
    found = {}
    with engine.begin() as conn:
        for chunk in chunks(values):
            query = select(key, at).where(where.in_(chunk))
            found.update({row[0]: ts(row[1]) for row in conn.execute(query)})
    return found
