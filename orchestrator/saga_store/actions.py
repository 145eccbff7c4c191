"""What changes a saga, each on one database connection: start, apply a reply, act on a
due deadline, and an operator's retry, cancel or decision.

The caller owns the transaction; everything written here (state, history, outbox,
event log) commits or rolls back together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

import structlog
from pydantic import BaseModel
from sqlalchemy import Connection, Row, bindparam, insert, select

from messaging import inbox
from messaging.codec import MalformedMessage, Message
from messaging.contracts import Payload
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from orchestrator import engine, saga_registry
from orchestrator.definition import AdmissionContext, Refused, SagaDefinition
from orchestrator.engine import HistoryEntry
from orchestrator.saga_store.reads import SagaNotFound
from orchestrator.saga_store.rows import (
    StoreLookup,
    add_history,
    load_for_update,
    record,
    save,
    state_columns,
    state_of,
    step_name,
)
from orchestrator.saga_store.tables import sagas

log = get_logger()
# Built once, executed with parameters (orchestrator/saga_store/rows.py says why).
_INSERT_SAGA = insert(sagas)
_BY_KEY = select(sagas).where(
    sagas.c.definition == bindparam("definition"),
    sagas.c.business_key == bindparam("business_key"),
)
# name -> the version new sagas start on, and every other registered version, which a
# stored saga's row names (tests build one with Registry.of).
Definitions = saga_registry.Registry


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Started:
    saga_id: str
    business_key: str
    state: str
    created: bool
    outgoing: Sequence[OutgoingMessage]
    definition_version: int = 1  # the version it started on (a repeat: the first start's)


class StartRefused(ValueError):
    """The saga was not started: the input is refused by its definition, or the key was
    already used with other content. The message says why, for the client."""


def start(
    conn: Connection,
    definition: SagaDefinition,
    submitted: BaseModel,
    correlation_id: str,
    settings: Mapping[str, str],
) -> Started:
    """Start one saga per (definition, business key) from a validated input; a repeat
    with the same input returns the first one. The definition's admission check runs in
    this transaction, so two starts that read the same saga are taken one at a time."""
    admission = definition.admission
    if admission is None:
        raise StartRefused(f"saga {definition.name!r} cannot be started by a client")
    key = admission.key(submitted)
    given = submitted.model_dump(mode="json")
    repeat = _repeat(conn, definition, key, given)
    if repeat is not None:
        return repeat
    lookup = StoreLookup(conn)
    outcome = admission.admit(submitted, AdmissionContext(lookup, settings))
    # The check may have waited on a row lock while the same key was started and committed
    # by another request: that one is this saga, whatever the check now says.
    repeat = _repeat(conn, definition, key, given) if lookup.locked else None
    if repeat is not None:
        return repeat
    if isinstance(outcome, Refused):
        raise StartRefused(outcome.reason)
    saga = _NewSaga(key, outcome.data, correlation_id, outcome.parent_key, given)
    return _insert(conn, definition, saga)


def _repeat(
    conn: Connection, definition: SagaDefinition, key: str, given: Mapping[str, Any]
) -> Started | None:
    """The saga already started under this key with this input, if any; other content
    under the same key is refused."""
    existing = _existing(conn, definition.name, key)
    if existing is None:
        return None
    # a saga from before inputs were kept cannot be compared: the key decides
    if existing.input is not None and existing.input != given:
        key_name = definition.admission.key_name if definition.admission else "key"
        raise StartRefused(
            f"{key_name} {key!r} was already submitted with different content "
            f"(saga {existing.saga_id})"
        )
    return Started(existing.saga_id, key, existing.status, False, (), existing.definition_version)


def begin(
    conn: Connection,
    definition: SagaDefinition,
    business_key: str,
    data: Mapping[str, Any],
    correlation_id: str,
) -> Started:
    """Start a saga from data its caller built (tests and tools: no admission check, no
    input kept); a repeat of the key with the same data returns the first."""
    existing = _existing(conn, definition.name, business_key)
    if existing is not None:
        if existing.data != dict(data):
            raise StartRefused(
                f"{business_key!r} was already submitted with different content "
                f"(saga {existing.saga_id})"
            )
        return Started(
            existing.saga_id, business_key, existing.status, False, (), existing.definition_version
        )
    return _insert(conn, definition, _NewSaga(business_key, data, correlation_id))


@dataclass(frozen=True)
class _NewSaga:
    """What a new saga's row starts from, besides its definition."""

    business_key: str
    data: Mapping[str, Any]
    correlation_id: str
    parent_key: str | None = None
    submitted: Mapping[str, Any] | None = None  # the client's input, kept as given


def _insert(conn: Connection, definition: SagaDefinition, new: _NewSaga) -> Started:
    """The new saga's row, history and first commands (the key was checked as unused)."""
    saga_id = new_id()
    transition = engine.start(definition, new.data, new_id)
    now = datetime.now(UTC)
    row = {
        "saga_id": saga_id,
        "definition": definition.name,
        "definition_version": definition.version,
        "business_key": new.business_key,
        "parent_key": new.parent_key,
        "input": None if new.submitted is None else dict(new.submitted),
        "correlation_id": new.correlation_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        **state_columns(definition, transition.state),
    }
    conn.execute(_INSERT_SAGA, row)
    outgoing = record(
        conn,
        saga_id=saga_id,
        business_key=new.business_key,
        correlation_id=new.correlation_id,
        causation_id=new.correlation_id,
        version=1,
        transition=transition,
    )
    return Started(
        saga_id, new.business_key, transition.state.status, True, outgoing, definition.version
    )


def _existing(conn: Connection, definition: str, business_key: str) -> Row[Any] | None:
    return conn.execute(
        _BY_KEY, {"definition": definition, "business_key": business_key}
    ).one_or_none()


def apply_reply(
    conn: Connection,
    definitions: Definitions,
    message: Message[Payload],
) -> Sequence[OutgoingMessage]:
    env = message.envelope
    if env.saga_id is None:
        raise MalformedMessage(f"{env.type} carries no saga_id")
    row = load_for_update(conn, env.saga_id)
    if row is None:
        raise MalformedMessage(f"{env.type} names unknown saga {env.saga_id}")
    try:
        definition = definition_of(definitions, row)
    except VersionNotRegistered as exc:  # parked at once, replayed after the deploy
        raise MalformedMessage(str(exc)) from None
    structlog.contextvars.bind_contextvars(business_key=row.business_key, step=row.current_step)
    state = state_of(definition, row)
    outcome = engine.on_reply(
        definition, state, env.type, env.causation_id, message.payload, new_id=new_id
    )
    if isinstance(outcome, engine.Ignored):
        log.warning("reply_ignored", reason=outcome.reason)
        entry = HistoryEntry("reply_ignored", row.current_step, {"reason": outcome.reason})
        add_history(conn, saga_id=row.saga_id, version=row.version, entry=entry, envelope=env)
        # Not applied, so not "handled": after an operator's retry the participant's
        # stored reply (same message id) must be judged again, not dropped as a duplicate.
        inbox.forget(conn, env.message_id)
        return ()
    outgoing = save(conn, row=row, definition=definition, transition=outcome, cause=env)
    log.info(
        "reply_applied",
        status=outcome.state.status,
        next_step=step_name(definition, outcome.state),
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
        entry = HistoryEntry("duplicate_ignored", row.current_step, detail)
        add_history(conn, saga_id=env.saga_id, version=row.version, entry=entry, envelope=env)


class Action(Protocol):
    """An engine function that acts on a saga as it stands (a deadline, an operator)."""

    def __call__(
        self, definition: SagaDefinition, state: engine.SagaState, *, new_id: engine.IdFactory
    ) -> engine.Transition | engine.Ignored: ...


def apply_deadline(
    conn: Connection, definitions: Definitions, saga_id: str
) -> Sequence[OutgoingMessage]:
    """The sweeper found this saga's deadline passed: resend, retry or give up."""
    return _act(conn, definitions, saga_id, engine.on_deadline, quiet=True)


def retry(conn: Connection, definitions: Definitions, saga_id: str) -> Sequence[OutgoingMessage]:
    return _act(conn, definitions, saga_id, engine.retry)


def cancel(
    conn: Connection, definitions: Definitions, saga_id: str, reason: str
) -> Sequence[OutgoingMessage]:
    return _act(conn, definitions, saga_id, partial(engine.cancel, reason=reason))


def decide(
    conn: Connection, definitions: Definitions, saga_id: str, approved: bool, reason: str
) -> Sequence[OutgoingMessage]:
    """A reviewer's approval or rejection of a saga awaiting approval."""
    decision = partial(engine.decide, approved=approved, reason=reason)
    return _act(conn, definitions, saga_id, decision)


class NotApplicable(ValueError):
    """An operator's action that does not fit the saga's state; nothing changed."""


class VersionNotRegistered(NotApplicable):
    """The saga runs a definition version this orchestrator does not register."""


def not_registered(row: Row[Any], why: str) -> str:
    """Why a saga whose definition version is not registered here cannot be acted on."""
    return (
        f"saga {row.saga_id} runs {row.definition}@{row.definition_version}, which this "
        f"orchestrator does not register: deploy a build that registers it, then replay ({why})"
    )


def definition_of(definitions: Definitions, row: Row[Any]) -> SagaDefinition:
    """The definition the saga started on, at the version it started on."""
    try:
        return definitions.at(row.definition, row.definition_version)
    except saga_registry.UnknownDefinition as exc:
        raise VersionNotRegistered(not_registered(row, str(exc))) from None


def _act(
    conn: Connection,
    definitions: Definitions,
    saga_id: str,
    action: Action,
    *,
    quiet: bool = False,
) -> Sequence[OutgoingMessage]:
    row = load_for_update(conn, saga_id)
    if row is None:
        raise SagaNotFound(f"no saga with saga_id {saga_id}")
    definition = definition_of(definitions, row)
    structlog.contextvars.bind_contextvars(saga_id=saga_id, business_key=row.business_key)
    outcome = action(definition, state_of(definition, row), new_id=new_id)
    if isinstance(outcome, engine.Ignored):
        if quiet:
            return ()
        raise NotApplicable(outcome.reason)
    log.info("saga_advanced", kinds=[h.kind for h in outcome.history])
    return save(conn, row=row, definition=definition, transition=outcome, cause=None)
