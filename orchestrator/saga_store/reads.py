"""Reads of the saga tables: one saga with its history, listings, counts, the sagas due
for the sweeper and those stuck past a deadline.

``find``, ``listing`` and ``stuck`` answer with the read models every reader parses
(``messaging.contracts.read_models``); the task API dumps them as JSON at its boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, false, func, not_, or_, select

from messaging.contracts.read_models import (
    HistoryEntry,
    InFlight,
    SagaSummary,
    SagaView,
    StepStatus,
    StuckSaga,
)
from messaging.contracts.saga_status import ACTIVE_STATUSES
from messaging.database import is_postgresql
from orchestrator.saga_store.tables import saga_history, sagas


class SagaNotFound(LookupError):
    pass


# A definition's own "label: value" pairs for a saga, from its name, version and data.
Summarize = Callable[[str, int, Mapping[str, Any]], Mapping[str, str]]


def no_summary(_definition: str, _version: int, _data: Mapping[str, Any]) -> Mapping[str, str]:
    return {}


def find(
    conn: Connection,
    *,
    saga_id: str | None = None,
    business_key: str | None = None,
    definition: str | None = None,
    summarize: Summarize = no_summary,
) -> SagaView:
    """One saga by id, or the latest by business key (of one definition, if given)."""
    if saga_id:
        row = conn.execute(select(sagas).where(sagas.c.saga_id == saga_id)).one_or_none()
        wanted = f"saga with saga_id {saga_id}"
    elif business_key:
        query = select(sagas).where(sagas.c.business_key == business_key)
        if definition:
            query = query.where(sagas.c.definition == definition)
        row = conn.execute(query.order_by(sagas.c.created_at.desc())).first()
        wanted = f"key {business_key}" + (f" in definition {definition}" if definition else "")
    else:
        raise ValueError("give saga_id, or a business key (order_id for a checkout)")
    if row is None:
        raise SagaNotFound(f"no saga with {wanted}")
    history = conn.execute(
        select(saga_history)
        .where(saga_history.c.saga_id == row.saga_id)
        .order_by(saga_history.c.id)
    ).all()
    return SagaView(
        **_summary_fields(row, summarize),
        input=row.input,
        steps=[StepStatus(name=name, status=status) for name, status in row.steps.items()],
        awaiting_message_id=row.awaiting,
        # a parallel group's commands in flight: step, message_id, attempt, deadline
        in_flight=[InFlight.model_validate(flight) for flight in row.flights or []],
        data=row.data,
        failure=row.failure,
        error=row.error,
        version=row.version,
        cancel_reason=row.cancel_reason,
        history=[HistoryEntry.model_validate(entry._asdict()) for entry in history],
    )


def summary(row: Row[Any], summarize: Summarize = no_summary) -> SagaSummary:
    return SagaSummary(**_summary_fields(row, summarize))


def _summary_fields(row: Row[Any], summarize: Summarize) -> dict[str, Any]:
    """A summary's fields, shared by the views that extend it."""
    return {
        "saga_id": row.saga_id,
        "definition": row.definition,
        "definition_version": row.definition_version,
        "business_key": row.business_key,
        "parent_key": row.parent_key,
        "summary": dict(summarize(row.definition, row.definition_version, row.data)),
        "correlation_id": row.correlation_id,
        "state": row.status,
        "current_step": row.current_step,
        "attempt": row.attempt,
        "deadline": row.deadline,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def listing(
    conn: Connection,
    *,
    state: str | None = None,
    limit: int = 100,
    definition: str | None = None,
    definition_version: int | None = None,
    parent_key: str | None = None,
    summarize: Summarize = no_summary,
) -> list[SagaSummary]:
    """The latest sagas; ``definition_version`` narrows a ``definition`` to one version."""
    query = select(sagas).order_by(sagas.c.created_at.desc()).limit(limit)
    if state:
        query = query.where(sagas.c.status == state)
    if definition:
        query = query.where(sagas.c.definition == definition)
        if definition_version is not None:
            query = query.where(sagas.c.definition_version == definition_version)
    if parent_key:
        query = query.where(sagas.c.parent_key == parent_key)
    return [summary(row, summarize) for row in conn.execute(query)]


def counts(
    conn: Connection, definition: str | None = None, definition_version: int | None = None
) -> dict[str, int]:
    """How many sagas are in each state (one GROUP BY on the indexed status column)."""
    query = select(sagas.c.status, func.count()).group_by(sagas.c.status)
    if definition:
        query = query.where(sagas.c.definition == definition)
        if definition_version is not None:
            query = query.where(sagas.c.definition_version == definition_version)
    return {status: int(count) for status, count in conn.execute(query)}


def version_counts(conn: Connection) -> dict[tuple[str, int], dict[str, int]]:
    """(definition, version) -> how many of its sagas are in each state."""
    query = select(
        sagas.c.definition, sagas.c.definition_version, sagas.c.status, func.count()
    ).group_by(sagas.c.definition, sagas.c.definition_version, sagas.c.status)
    found: dict[tuple[str, int], dict[str, int]] = {}
    for name, version, status, count in conn.execute(query):
        found.setdefault((name, int(version)), {})[status] = int(count)
    return found


Version = tuple[str, int]  # (definition, version)


def _of(versions: Collection[Version]) -> ColumnElement[bool]:
    """The saga runs one of ``versions``."""
    if not versions:
        return false()
    return or_(
        *(
            and_(sagas.c.definition == name, sagas.c.definition_version == version)
            for name, version in sorted(versions)
        )
    )


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(sagas.c.status.in_(sorted(ACTIVE_STATUSES)), sagas.c.deadline <= now)


def due(
    conn: Connection, now: datetime, versions: Collection[Version], limit: int = 100
) -> list[str]:
    """Ids of active sagas of ``versions`` (the ones this process registers) whose deadline
    has passed, oldest deadline first. A saga of another version cannot be acted on here,
    so it never takes the place of one that can (``stranded`` finds those)."""
    query = (
        select(sagas.c.saga_id)
        .where(_overdue(now), _of(versions))
        .order_by(sagas.c.deadline)
        .limit(limit)
    )
    if is_postgresql(conn):
        query = query.with_for_update(skip_locked=True)
    return list(conn.execute(query).scalars())


def stranded(
    conn: Connection, now: datetime, versions: Collection[Version], limit: int = 10
) -> list[Row[Any]]:
    """Overdue active sagas of a version not in ``versions``: (saga_id, definition,
    definition_version), for the sweeper to report."""
    query = (
        select(sagas.c.saga_id, sagas.c.definition, sagas.c.definition_version)
        .where(_overdue(now), not_(_of(versions)))
        .order_by(sagas.c.deadline)
        .limit(limit)
    )
    return list(conn.execute(query))


def stuck(
    conn: Connection, now: datetime, limit: int = 100, summarize: Summarize = no_summary
) -> list[StuckSaga]:
    """Active sagas past a step deadline: what they wait on, since when, how many tries."""
    rows = conn.execute(
        select(sagas)
        .where(sagas.c.status.in_(sorted(ACTIVE_STATUSES)), sagas.c.deadline <= now)
        .order_by(sagas.c.deadline)
        .limit(limit)
    ).all()
    return [
        StuckSaga(
            **_summary_fields(row, summarize),
            waiting_on=row.awaiting or ", ".join(f["message_id"] for f in row.flights or []),
            since=row.updated_at,
        )
        for row in rows
    ]
