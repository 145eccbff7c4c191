"""A saga as a row: the state <-> row mapping, the row lock, and what one transition writes
(the row, its history, the event log).

Every write of a transition checks the version it read (optimistic lock on top of the
row lock), appends history, logs domain events and returns the outgoing messages for
the caller's outbox, all on the caller's connection and transaction.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, text, update

from messaging.consumer import Conflict
from messaging.contracts import Envelope
from messaging.contracts.saga_status import SagaStatus
from messaging.database import as_utc, is_postgresql
from messaging.outbox import OutgoingMessage
from messaging.routing import ORCHESTRATOR
from messaging.tracing import current_trace_context
from messaging.versions import emitted
from orchestrator.definition import SagaDefinition, SagaRecord
from orchestrator.engine import Flight, HistoryEntry, SagaState, StepStatus, Transition
from orchestrator.event_tables import event_log
from orchestrator.saga_store.tables import saga_history, sagas

# Every transaction that logs an event takes this lock first (PostgreSQL), so event_log
# ids become visible in id order and the dispatcher can read on from a position.
EVENT_LOG_LOCK = zlib.crc32(b"saga-event-log") & 0x7FFFFFFF
# The statements of every transition, built once and executed with parameters: building
# them per call cost more CPU than running them (messaging.database.insert_ignoring).
_LOAD = select(sagas).where(sagas.c.saga_id == bindparam("saga_id"))
_LOAD_FOR_UPDATE = _LOAD.with_for_update()
_SAVE = update(sagas).where(
    sagas.c.saga_id == bindparam("b_saga_id"), sagas.c.version == bindparam("b_version")
)
_INSERT_HISTORY = insert(saga_history)
_LOG_EVENT = insert(event_log)
_EVENT_LOG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def load_for_update(conn: Connection, saga_id: str) -> Row[Any] | None:
    query = _LOAD_FOR_UPDATE if is_postgresql(conn) else _LOAD
    return conn.execute(query, {"saga_id": saga_id}).one_or_none()


def _record(row: Row[Any]) -> SagaRecord:
    return SagaRecord(row.saga_id, row.definition, row.business_key, row.status, row.data)


class StoreLookup:
    """A definition's read access to other sagas while one starts (definition.SagaLookup).

    PostgreSQL: ``get`` locks the row until the start commits, so two starts that check
    the same saga (two returns of one order) run one after the other and the second sees
    the first. SQLite: every transaction here begins IMMEDIATE, one writer at a time."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.locked = False  # a row lock was taken (and maybe waited for)

    def get(self, definition: str, business_key: str) -> SagaRecord | None:
        query = select(sagas).where(
            sagas.c.definition == definition, sagas.c.business_key == business_key
        )
        if is_postgresql(self._conn):
            query = query.with_for_update()
            self.locked = True
        row = self._conn.execute(query).one_or_none()
        return None if row is None else _record(row)

    def children(self, definition: str, parent_key: str) -> list[SagaRecord]:
        query = (
            select(sagas)
            .where(sagas.c.definition == definition, sagas.c.parent_key == parent_key)
            .order_by(sagas.c.created_at)
        )
        return [_record(row) for row in self._conn.execute(query)]


def step_name(definition: SagaDefinition, state: SagaState) -> str | None:
    return None if state.current_step is None else definition.steps[state.current_step].name


def state_columns(definition: SagaDefinition, state: SagaState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "current_step": step_name(definition, state),
        "steps": {
            step.name: status.value
            for step, status in zip(definition.steps, state.steps, strict=True)
        },
        "data": dict(state.data),
        "awaiting": state.awaiting,
        "failure": dict(state.failure) if state.failure else None,
        "error": state.error,
        "attempt": state.attempt,
        "deadline": state.deadline,
        "cancel_reason": state.cancel_reason,
        "querying": state.querying,
        "flights": [flight_column(definition, flight) for flight in state.flights],
        "completed": [definition.steps[i].name for i in state.completed],
    }


def state_of(definition: SagaDefinition, row: Row[Any]) -> SagaState:
    return SagaState(
        status=SagaStatus(row.status),
        current_step=definition.step_index[row.current_step] if row.current_step else None,
        steps=tuple(StepStatus(row.steps[step.name]) for step in definition.steps),
        data=row.data,
        awaiting=row.awaiting,
        failure=row.failure,
        error=row.error,
        attempt=row.attempt,
        deadline=as_utc(row.deadline),  # SQLite keeps no zone: all UTC
        cancel_reason=row.cancel_reason,
        querying=row.querying,
        flights=tuple(flight_of(definition, flight) for flight in row.flights or ()),
        completed=tuple(definition.step_index[name] for name in row.completed or ()),
    )


def flight_column(definition: SagaDefinition, flight: Flight) -> dict[str, Any]:
    """A flight as JSON: the step by name (as in ``steps``), the deadline in ISO UTC."""
    return {
        "step": definition.steps[flight.step].name,
        "message_id": flight.message_id,
        "attempt": flight.attempt,
        "deadline": flight.deadline.astimezone(UTC).isoformat(),
    }


def flight_of(definition: SagaDefinition, column: Mapping[str, Any]) -> Flight:
    # written with a zone; a hand-edited row may lack one
    deadline = as_utc(datetime.fromisoformat(column["deadline"]))
    assert deadline is not None
    return Flight(
        step=definition.step_index[column["step"]],
        message_id=column["message_id"],
        attempt=column["attempt"],
        deadline=deadline,
    )


def save(
    conn: Connection,
    *,
    row: Row[Any],
    definition: SagaDefinition,
    transition: Transition,
    cause: Envelope | None,
) -> list[OutgoingMessage]:
    """Write one transition of an existing saga. ``cause`` is the message that caused it
    (a reply), or None for a deadline or an operator's action."""
    version = row.version + 1
    values = {
        "b_saga_id": row.saga_id,
        "b_version": row.version,
        "version": version,
        "updated_at": datetime.now(UTC),
        **state_columns(definition, transition.state),
    }
    changed = conn.execute(_SAVE, values).rowcount
    if changed != 1:
        raise Conflict(f"saga {row.saga_id} changed under us (version {row.version})")
    history = transition.history
    if cause is not None:  # the first entry is the reply's: keep the reply itself with it
        first, *rest = history
        entry = replace(first, detail={**first.detail, "payload": cause.payload})
        add_history(conn, saga_id=row.saga_id, version=version, entry=entry, envelope=cause)
        history = tuple(rest)
    return record(
        conn,
        saga_id=row.saga_id,
        business_key=row.business_key,
        correlation_id=row.correlation_id,
        causation_id=cause.message_id if cause is not None else row.correlation_id,
        version=version,
        transition=replace(transition, history=history),
    )


def record(
    conn: Connection,
    *,
    saga_id: str,
    business_key: str,
    correlation_id: str,
    causation_id: str,
    version: int,
    transition: Transition,
) -> list[OutgoingMessage]:
    """Write history, the outgoing commands and the domain events of one transition.

    A domain event goes into the event log only: the event dispatcher (another process)
    sends each subscriber its copy from there. The saga path never knows who listens.
    """
    now = datetime.now(UTC)
    entries = []
    for entry in transition.history:
        detail = dict(entry.detail)
        entries.append(
            {
                "saga_id": saga_id,
                "at": now,
                "version": version,
                "kind": entry.kind,
                "step": entry.step,
                "message_id": detail.pop("message_id", None),
                "message_type": detail.pop("type", None),
                "detail": detail,
            }
        )
    if entries:  # one statement, however many entries
        conn.execute(_INSERT_HISTORY, entries)
    outgoing = []
    for command in transition.commands:
        envelope = Envelope.wrap(
            command.payload,
            saga_id=saga_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            reply_to=ORCHESTRATOR,
            message_id=command.message_id,
            step=command.step,
            emit=emitted(),
        )
        outgoing.append(OutgoingMessage.to_service(command.service, envelope))
    if transition.events and is_postgresql(conn):
        conn.execute(_EVENT_LOG_LOCK, {"key": EVENT_LOG_LOCK})
    for event in transition.events:
        envelope = Envelope.wrap(
            event,
            saga_id=saga_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            trace_context=current_trace_context(),  # each reactor's copy joins the saga's trace
            emit=emitted(),
        )
        logged = {
            "event_id": envelope.message_id,
            "event_type": envelope.type,
            "saga_id": saga_id,
            "body": envelope.to_json_dict(),
            "created_at": now,
        }
        conn.execute(_LOG_EVENT, logged)
        entry = HistoryEntry("event_recorded", None, {"business_key": business_key})
        add_history(conn, saga_id=saga_id, version=version, entry=entry, envelope=envelope)
    return outgoing


def add_history(
    conn: Connection,
    *,
    saga_id: str,
    version: int,
    entry: HistoryEntry,
    envelope: Envelope | None,
) -> None:
    """One history line; ``envelope`` is the message it is about, if any."""
    line = {
        "saga_id": saga_id,
        "at": datetime.now(UTC),
        "version": version,
        "kind": entry.kind,
        "step": entry.step,
        "message_id": envelope.message_id if envelope else None,
        "message_type": envelope.type if envelope else None,
        "detail": dict(entry.detail),
    }
    conn.execute(_INSERT_HISTORY, line)
