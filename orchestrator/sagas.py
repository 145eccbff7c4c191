"""Saga use cases on one database connection: start, apply a reply, read.

The caller owns the transaction; everything written here (state, history, outbox,
event log) commits or rolls back together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Connection, Row, insert, select, update

from messaging.codec import MalformedMessage, Message
from messaging.consumer import Conflict
from messaging.contracts import Envelope, Payload
from messaging.database import is_postgresql
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from messaging.routing import ORCHESTRATOR
from orchestrator import engine
from orchestrator.definition import SagaDefinition
from orchestrator.engine import SagaState, SagaStatus, StepStatus, Transition
from orchestrator.store import event_log, saga_history, sagas

log = get_logger()


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Started:
    saga_id: str
    order_id: str
    state: str
    created: bool
    outgoing: Sequence[OutgoingMessage]


class SagaNotFound(LookupError):
    pass


def start(
    conn: Connection,
    definition: SagaDefinition,
    order_id: str,
    data: Mapping[str, Any],
    correlation_id: str,
) -> Started:
    """Start one saga per (definition, order id); a repeat returns the first one."""
    existing = conn.execute(
        select(sagas).where(sagas.c.definition == definition.name, sagas.c.order_id == order_id)
    ).one_or_none()
    if existing is not None:
        if existing.data.get("order") != data.get("order"):
            raise ValueError(
                f"order_id {order_id!r} was already submitted with different content "
                f"(saga {existing.saga_id})"
            )
        return Started(existing.saga_id, order_id, existing.status, False, ())
    saga_id = new_id()
    transition = engine.start(definition, data, new_id)
    now = datetime.now(UTC)
    conn.execute(
        insert(sagas).values(
            saga_id=saga_id,
            definition=definition.name,
            order_id=order_id,
            correlation_id=correlation_id,
            version=1,
            created_at=now,
            updated_at=now,
            **_state_columns(definition, transition.state),
        )
    )
    outgoing = _record(conn, saga_id, order_id, correlation_id, correlation_id, 1, transition, {})
    return Started(saga_id, order_id, transition.state.status, True, outgoing)


Subscribers = Mapping[str, Sequence[str]]  # event type -> services that get a copy


def apply_reply(
    conn: Connection,
    definitions: Mapping[str, SagaDefinition],
    message: Message[Payload],
    subscribers: Subscribers,
) -> Sequence[OutgoingMessage]:
    env = message.envelope
    if env.saga_id is None:
        raise MalformedMessage(f"{env.type} carries no saga_id")
    row = _load_for_update(conn, env.saga_id)
    if row is None:
        raise MalformedMessage(f"{env.type} names unknown saga {env.saga_id}")
    definition = definitions[row.definition]
    step = row.current_step
    structlog.contextvars.bind_contextvars(order_id=row.order_id, step=step)
    state = _state_of(definition, row)
    outcome = engine.on_reply(
        definition, state, env.type, env.causation_id, message.payload, new_id
    )
    if isinstance(outcome, engine.Ignored):
        log.warning("reply_ignored", reason=outcome.reason)
        _history(
            conn, env.saga_id, row.version, "reply_ignored", step, env, {"reason": outcome.reason}
        )
        return ()
    version = row.version + 1
    changed = conn.execute(
        update(sagas)
        .where(sagas.c.saga_id == env.saga_id, sagas.c.version == row.version)
        .values(
            version=version,
            updated_at=datetime.now(UTC),
            **_state_columns(definition, outcome.state),
        )
    ).rowcount
    if changed != 1:
        raise Conflict(f"saga {env.saga_id} changed under us (version {row.version})")
    applied, *rest = outcome.history
    detail = {**applied.detail, "payload": env.payload}
    _history(conn, env.saga_id, version, applied.kind, applied.step, env, detail)
    rest_transition = Transition(outcome.state, outcome.commands, outcome.events, tuple(rest))
    outgoing = _record(
        conn,
        env.saga_id,
        row.order_id,
        row.correlation_id,
        env.message_id,
        version,
        rest_transition,
        subscribers,
    )
    log.info(
        "reply_applied",
        status=outcome.state.status,
        next_step=_step_name(definition, outcome.state),
    )
    return outgoing


def record_duplicate(conn: Connection, message: Message[Payload]) -> None:
    """A redelivered reply changes nothing; the history says it came again."""
    env = message.envelope
    if env.saga_id is None:
        return
    row = conn.execute(
        select(sagas.c.version, sagas.c.current_step).where(sagas.c.saga_id == env.saga_id)
    ).one_or_none()
    if row is not None:
        detail = {"reason": "already handled: redelivered message"}
        _history(conn, env.saga_id, row.version, "duplicate_ignored", row.current_step, env, detail)


def _record(
    conn: Connection,
    saga_id: str,
    order_id: str,
    correlation_id: str,
    causation_id: str,
    version: int,
    transition: Transition,
    subscribers: Subscribers,
) -> list[OutgoingMessage]:
    """Write history, the outgoing commands and the domain events of one transition.

    Each subscriber of an event gets its own outbox row, so its own durable copy.
    """
    now = datetime.now(UTC)
    for entry in transition.history:
        detail = dict(entry.detail)
        conn.execute(
            insert(saga_history).values(
                saga_id=saga_id,
                at=now,
                version=version,
                kind=entry.kind,
                step=entry.step,
                message_id=detail.pop("message_id", None),
                message_type=detail.pop("type", None),
                detail=detail,
            )
        )
    outgoing = []
    for command in transition.commands:
        envelope = Envelope.wrap(
            command.payload,
            saga_id=saga_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            reply_to=ORCHESTRATOR,
            message_id=command.message_id,
        )
        outgoing.append(OutgoingMessage.to_service(command.service, envelope))
    for event in transition.events:
        envelope = Envelope.wrap(
            event, saga_id=saga_id, correlation_id=correlation_id, causation_id=causation_id
        )
        conn.execute(
            insert(event_log).values(
                event_id=envelope.message_id,
                event_type=envelope.type,
                saga_id=saga_id,
                body=envelope.to_json_dict(),
                created_at=now,
            )
        )
        to = list(subscribers.get(envelope.type, ()))
        outgoing.extend(OutgoingMessage.to_service(service, envelope) for service in to)
        detail = {"order_id": order_id, "subscribers": to}
        _history(conn, saga_id, version, "event_recorded", None, envelope, detail)
    return outgoing


def _history(
    conn: Connection,
    saga_id: str,
    version: int,
    kind: str,
    step: str | None,
    envelope: Envelope,
    detail: Mapping[str, Any],
) -> None:
    conn.execute(
        insert(saga_history).values(
            saga_id=saga_id,
            at=datetime.now(UTC),
            version=version,
            kind=kind,
            step=step,
            message_id=envelope.message_id,
            message_type=envelope.type,
            detail=dict(detail),
        )
    )


def _load_for_update(conn: Connection, saga_id: str) -> Row[Any] | None:
    query = select(sagas).where(sagas.c.saga_id == saga_id)
    if is_postgresql(conn):
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def _step_name(definition: SagaDefinition, state: SagaState) -> str | None:
    return None if state.current_step is None else definition.steps[state.current_step].name


def _state_columns(definition: SagaDefinition, state: SagaState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "current_step": _step_name(definition, state),
        "steps": {
            step.name: status.value
            for step, status in zip(definition.steps, state.steps, strict=True)
        },
        "data": dict(state.data),
        "awaiting": state.awaiting,
        "failure": dict(state.failure) if state.failure else None,
        "error": state.error,
    }


def _state_of(definition: SagaDefinition, row: Row[Any]) -> SagaState:
    return SagaState(
        status=SagaStatus(row.status),
        current_step=definition.step_index[row.current_step] if row.current_step else None,
        steps=tuple(StepStatus(row.steps[step.name]) for step in definition.steps),
        data=row.data,
        awaiting=row.awaiting,
        failure=row.failure,
        error=row.error,
    )


def find(
    conn: Connection, *, saga_id: str | None = None, order_id: str | None = None
) -> dict[str, Any]:
    if saga_id:
        row = conn.execute(select(sagas).where(sagas.c.saga_id == saga_id)).one_or_none()
    elif order_id:
        row = conn.execute(
            select(sagas).where(sagas.c.order_id == order_id).order_by(sagas.c.created_at.desc())
        ).first()
    else:
        raise ValueError("give saga_id or order_id")
    if row is None:
        raise SagaNotFound(
            f"no saga with {'saga_id ' + saga_id if saga_id else 'order_id ' + str(order_id)}"
        )
    history = conn.execute(
        select(saga_history)
        .where(saga_history.c.saga_id == row.saga_id)
        .order_by(saga_history.c.id)
    ).all()
    return {
        **summary(row),
        "steps": [{"name": name, "status": status} for name, status in row.steps.items()],
        "awaiting_message_id": row.awaiting,
        "data": row.data,
        "failure": row.failure,
        "error": row.error,
        "version": row.version,
        "history": [
            {
                "at": h.at.isoformat(),
                "kind": h.kind,
                "step": h.step,
                "message_id": h.message_id,
                "message_type": h.message_type,
                "detail": h.detail,
                "version": h.version,
            }
            for h in history
        ],
    }


def summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "saga_id": row.saga_id,
        "definition": row.definition,
        "order_id": row.order_id,
        "correlation_id": row.correlation_id,
        "state": row.status,
        "current_step": row.current_step,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def listing(conn: Connection, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = select(sagas).order_by(sagas.c.created_at.desc()).limit(limit)
    if state:
        query = query.where(sagas.c.status == state)
    return [summary(row) for row in conn.execute(query)]


def past_events(
    conn: Connection, event_types: Iterable[str], since: datetime | None, service: str
) -> list[OutgoingMessage]:
    """Copies of logged domain events for one subscriber, oldest first."""
    query = select(event_log.c.body).where(event_log.c.event_type.in_(sorted(event_types)))
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        query = query.where(event_log.c.created_at >= since)
    rows = conn.execute(query.order_by(event_log.c.id)).scalars()
    return [OutgoingMessage.to_service(service, Envelope.model_validate(body)) for body in rows]
