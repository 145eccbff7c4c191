"""Retention of the orchestrator's own tables, run by the sweeper (``saga-sweeper``):
finished sagas with their history (written first as JSON lines when
SAGA_RETENTION_EXPORT_DIR is set), and the event log behind every subscription.

The rules are messaging/retention_policy.py's; the batching is messaging/retention.py's
(one short transaction per batch of ``SAGA_RETENTION_BATCH`` sagas or events, rows taken
``FOR UPDATE SKIP LOCKED`` on PostgreSQL). A finished saga takes no more messages, so no
saga transition ever waits for a batch; a row some transaction holds is skipped.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    func,
    select,
)

from messaging.contracts.read_models import TableRetention
from messaging.database import as_utc, reading
from messaging.retention import BeforeDelete, Run, Target, figures, purge
from messaging.retention_policy import DELETABLE_SAGA_STATUSES, RetentionSettings
from orchestrator.event_tables import event_deliveries, event_log, subscriptions
from orchestrator.saga_store.tables import saga_history, sagas


def saga_target(settings: RetentionSettings) -> Target:
    return Target(
        sagas,
        sagas.c.saga_id,
        sagas.c.updated_at,
        settings.sagas,
        lambda cutoff: and_(
            sagas.c.status.in_(DELETABLE_SAGA_STATUSES), sagas.c.updated_at < cutoff
        ),
    )


def event_floor(conn: Connection) -> int | None:
    """The highest event-log id every active subscription is past: sent (``position``),
    not waiting in a backfill, and not carried by a copy still unacknowledged
    (``event_deliveries`` keeps only those). None: no active subscription."""
    floors: list[int] = []
    for row in conn.execute(select(subscriptions).where(subscriptions.c.active)).all():
        floor = int(row.position)
        if row.backfill_from is not None:
            floor = min(floor, int(row.backfill_from) - 1)
        unacknowledged = conn.execute(
            select(func.min(event_deliveries.c.event_log_id)).where(
                event_deliveries.c.subscription == row.name
            )
        ).scalar_one_or_none()
        if unacknowledged is not None:
            floor = min(floor, int(unacknowledged) - 1)
        floors.append(floor)
    return min(floors) if floors else None


def event_target(settings: RetentionSettings, floor: int | None) -> Target:
    def where(cutoff: datetime) -> ColumnElement[bool]:
        if floor is None:
            return event_log.c.created_at < cutoff
        return and_(event_log.c.created_at < cutoff, event_log.c.id <= floor)

    return Target(event_log, event_log.c.id, event_log.c.created_at, settings.event_log, where)


def _history_figure(conn: Connection, target: Target, now: datetime) -> TableRetention:
    rows, oldest = conn.execute(select(func.count(), func.min(saga_history.c.at))).one()
    going = select(sagas.c.saga_id).where(target.eligible(now))
    eligible = conn.execute(
        select(func.count()).where(saga_history.c.saga_id.in_(going))
    ).scalar_one()
    return TableRetention(
        table="saga_history",
        rows=int(rows),
        oldest=as_utc(oldest),
        next_run_deletes=int(eligible),
        setting=f"{target.keep} (with its saga)",
    )


def report(engine: Engine, settings: RetentionSettings, now: datetime) -> list[TableRetention]:
    """The figures of sagas, saga_history and event_log (``orchestrator.retention``)."""
    with reading(engine) as conn:
        floor = event_floor(conn)
        target = saga_target(settings)
        history = _history_figure(conn, target, now)
    shown = figures(engine, [target, event_target(settings, floor)], now)
    return [shown[0], history, shown[1]]


def exporter(directory: str, now: datetime) -> BeforeDelete:
    """Writes each batch's sagas, each with its history, as JSON lines to a file of this
    run (``sagas-<time>.jsonl`` in ``directory``), flushed to disk before the delete."""
    path = Path(directory) / f"sagas-{now.strftime('%Y%m%dT%H%M%S%fZ')}.jsonl"

    def export(conn: Connection, saga_ids: list[Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        found = conn.execute(select(sagas).where(sagas.c.saga_id.in_(saga_ids))).all()
        history: dict[str, list[dict[str, Any]]] = {}
        listed = select(saga_history).where(saga_history.c.saga_id.in_(saga_ids))
        for entry in conn.execute(listed.order_by(saga_history.c.id)).all():
            history.setdefault(entry.saga_id, []).append(dict(entry._mapping))
        with path.open("a", encoding="utf-8") as out:
            for row in found:
                line = {"saga": dict(row._mapping), "history": history.get(row.saga_id, [])}
                out.write(json.dumps(line, default=_as_json, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())

    return export


def _as_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return (as_utc(value) or value).isoformat()
    return str(value)


def _with_history(export: BeforeDelete | None) -> BeforeDelete:
    def before(conn: Connection, saga_ids: list[Any]) -> None:
        if export is not None:
            export(conn, saga_ids)
        conn.execute(delete(saga_history).where(saga_history.c.saga_id.in_(saga_ids)))

    return before


def run(
    engine: Engine,
    settings: RetentionSettings,
    until: float | None = None,
    now: datetime | None = None,
) -> Run:
    """One retention run of the orchestrator's tables within ``until`` (time.monotonic):
    sagas (their history with them, exported first if set), then events."""
    now = now or datetime.now(UTC)
    done = Run({}, until)
    export = exporter(settings.export_dir, now) if settings.export_dir else None
    before = _with_history(export)
    purge(engine, saga_target(settings), batch=settings.batch, now=now, before=before, run=done)
    with reading(engine) as conn:
        floor = event_floor(conn)
    purge(engine, event_target(settings, floor), batch=settings.batch, now=now, run=done)
    return done
