"""The orchestrator worker and its task API (clients call these by name with ``send_task``).

Run: ``celery -A orchestrator.worker worker -Q orchestrator``; see docs/task-api.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from celery import Task
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from messaging.codec import describe_validation_error
from messaging.consumer import Policy, register_inbound_task
from messaging.contracts.read_models import (
    DefinitionDescription,
    OperatorResult,
    SagaStarted,
)
from messaging.database import as_utc, reading
from messaging.logs import get_logger
from messaging.outbox import add, publish_now
from messaging.retention_policy import retry_is_safe
from messaging.service_app import ServiceApp
from orchestrator import diagram, migrations, retention, saga_registry
from orchestrator.definition import SagaDefinition
from orchestrator.definition_listing import summaries
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions, reads

app = ServiceApp("orchestrator", migrations.SCHEMA, at_start=(definitions,))
app.retention_reports.append(retention.report)  # sagas, history, event log
log = get_logger()
CHECKOUT = "checkout"


def _apply_reply(conn: Connection, message: Any) -> Any:
    return actions.apply_reply(conn, definitions(), message)


# A redelivered reply changes nothing and is not answered again; its history says it came.
REPLIES = Policy(resend_on_duplicate=False, on_duplicate=actions.record_duplicate)
handle_message = register_inbound_task(app, _apply_reply, REPLIES)


def summarize(name: str, version: int, data: Mapping[str, Any]) -> Mapping[str, str]:
    """A definition's own summary of one saga, by the version it runs; nothing for a
    definition version not registered here."""
    try:
        return definitions().at(name, version).summary(data)
    except saga_registry.UnknownDefinition:
        return {}


def validate_input(saga: SagaDefinition, given: Any, what: str) -> Any:
    if saga.admission is None:
        raise ValueError(f"saga {saga.name!r} cannot be started by a client")
    if not isinstance(given, dict):
        raise ValueError(f"invalid {what}: expected a JSON object, got {type(given).__name__}")
    try:
        return saga.admission.model.model_validate(given)
    except ValidationError as exc:
        raise ValueError(f"invalid {what}: " + describe_validation_error(exc)) from None


def _start(saga: SagaDefinition, given: Any, what: str, correlation_id: str | None) -> SagaStarted:
    """Validate, admit and start; the first commands go out once it committed."""
    submitted = validate_input(saga, given, what)
    assert saga.admission is not None
    key = saga.admission.key(submitted)
    # order_id as every message's log line has it (from its payload), when the input has one
    order_id = getattr(submitted, "order_id", None)
    structlog.contextvars.bind_contextvars(
        business_key=key, order_id=order_id, correlation_id=correlation_id
    )
    correlation_id = correlation_id or key
    for attempt in (1, 2):
        try:
            with app.engine.begin() as conn:
                started = actions.start(conn, saga, submitted, correlation_id, os.environ)
                rows = add(conn, started.outgoing)
            break
        except IntegrityError:  # a concurrent first start won the unique key: read it now
            if attempt == 2:
                raise
        except actions.StartRefused as exc:
            raise ValueError(str(exc)) from None
    publish_now(app.engine, app.publisher, rows, app.marks)
    structlog.contextvars.bind_contextvars(saga_id=started.saga_id)
    log.info("saga_started", definition=saga.label, created=started.created)
    return SagaStarted(
        saga_id=started.saga_id,
        definition=saga.name,
        definition_version=started.definition_version,
        business_key=started.business_key,
        state=started.state,
        duplicate=not started.created,
    )


@app.task(name="orchestrator.start_saga", bind=True, ignore_result=False)
def start_saga(self: Task, definition: str = "", input: Any = None) -> dict[str, Any]:
    """Validate ``input`` against the definition's model, admit it and start the saga.
    The same business key twice: the same saga (different content is refused)."""
    saga = starting(definition)
    return _start(saga, input, f"{saga.name} input", self.request.id).model_dump(mode="json")


def starting(definition: str) -> SagaDefinition:
    """The definition a client's ``checkout`` (or ``checkout@2``) starts: always the start
    version; naming another one is refused, saying which one new sagas start on."""
    name, version = _spec(definition)
    try:
        saga = saga_registry.definition(name or "")
    except saga_registry.UnknownDefinition as exc:
        raise ValueError(str(exc)) from None
    if version is not None and version != saga.version:
        raise ValueError(
            f"definition: new {saga.name} sagas start on {saga.label} here, not "
            f"{saga.name}@{version}: start without a version (a rollout chooses it with "
            "SAGA_START_VERSIONS)"
        )
    return saga


@app.task(name="orchestrator.place_order", bind=True, ignore_result=False)
def place_order(self: Task, **order: Any) -> dict[str, Any]:
    """The checkout's own entry point: validate and start a checkout saga. Same order_id
    twice: same saga."""
    started = _start(definitions()[CHECKOUT], order, "order", self.request.id)
    return started.model_copy(update={"order_id": started.business_key}).model_dump(mode="json")


@app.task(name="orchestrator.get_saga", ignore_result=False)
def get_saga(
    saga_id: str | None = None,
    order_id: str | None = None,
    definition: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """State, current step, steps, data and history of one saga: by ``saga_id``, by
    ``definition`` and business ``key`` (the latest of any definition without one), or by
    ``order_id`` (the checkout of that order).

    Errors are builtin exception types, so a client without our code can catch them.
    """
    if order_id and not key:
        definition, key = definition or CHECKOUT, order_id
    try:
        with app.engine.begin() as conn:
            return reads.find(
                conn, saga_id=saga_id, business_key=key, definition=definition, summarize=summarize
            ).model_dump(mode="json")
    except reads.SagaNotFound as exc:
        raise LookupError(str(exc)) from None


@app.task(name="orchestrator.list_sagas", ignore_result=False)
def list_sagas(
    state: str | None = None,
    limit: int = 100,
    definition: str | None = None,
    parent_key: str | None = None,
) -> list[dict[str, Any]]:
    """The latest sagas, newest first: of one state, one definition (``"checkout"``: every
    version; ``"checkout@1"``: that version), or those started for one parent (the returns
    of an order: ``definition="returns", parent_key=ORDER``)."""
    name, version = _spec(definition)
    with app.engine.begin() as conn:
        found = reads.listing(
            conn,
            state=state,
            limit=min(int(limit), 1000),
            definition=name,
            definition_version=version,
            parent_key=parent_key,
            summarize=summarize,
        )
    return [saga.model_dump(mode="json") for saga in found]


def _spec(definition: str | None) -> tuple[str | None, int | None]:
    """A client's ``checkout`` or ``checkout@1``; a malformed one is a one-line ValueError."""
    if not definition:
        return None, None
    try:
        return saga_registry.parse_spec(definition)
    except saga_registry.MalformedSpec as exc:
        raise ValueError(str(exc)) from None


@app.task(name="orchestrator.saga_counts", ignore_result=False)
def saga_counts(definition: str | None = None) -> dict[str, int]:
    """How many sagas are in each state (states with none are left out), of every
    definition, of one (``checkout``) or of one version (``checkout@1``)."""
    name, version = _spec(definition)
    with app.engine.begin() as conn:
        return reads.counts(conn, definition=name, definition_version=version)


def _operator(action: Any, saga_id: str, *args: Any) -> dict[str, Any]:
    structlog.contextvars.bind_contextvars(saga_id=saga_id)
    try:
        with app.engine.begin() as conn:
            outgoing = action(conn, definitions(), saga_id, *args)
            rows = add(conn, outgoing)
            saga = reads.find(conn, saga_id=saga_id)
    except reads.SagaNotFound as exc:
        raise LookupError(str(exc)) from None
    except actions.NotApplicable as exc:
        raise ValueError(str(exc)) from None
    publish_now(app.engine, app.publisher, rows, app.marks)
    result = OperatorResult(saga_id=saga_id, state=saga.state, current_step=saga.current_step)
    return result.model_dump(mode="json")


@app.task(name="orchestrator.retry_saga", ignore_result=False)
def retry_saga(saga_id: str) -> dict[str, Any]:
    """Resume a `failed` saga from the step that failed, after the cause was fixed; refused
    for a saga older than the participants' inbox retention (it could act twice)."""
    log.info("operator_retry", saga_id=saga_id)
    with reading(app.engine) as conn:
        try:
            saga = reads.find(conn, saga_id=saga_id)
        except reads.SagaNotFound as exc:
            raise LookupError(str(exc)) from None
    started = as_utc(saga.created_at) or datetime.now(UTC)
    if not retry_is_safe(started, app.retention.inbox, datetime.now(UTC)):
        raise ValueError(
            f"saga {saga_id} started {saga.created_at:%Y-%m-%d %H:%M} UTC, before what the "
            f"participants' inboxes still hold ({app.retention.inbox}): a retry could run "
            "its step twice; settle it by hand (docs/operations.md#settling-it-by-hand)"
        )
    return _operator(actions.retry, saga_id)


@app.task(name="orchestrator.cancel_saga", ignore_result=False)
def cancel_saga(saga_id: str, reason: str = "cancelled by an operator") -> dict[str, Any]:
    """Compensate a running saga; a command in flight is let finish first."""
    log.info("operator_cancel", saga_id=saga_id, reason=reason)
    return _operator(actions.cancel, saga_id, reason)


@app.task(name="orchestrator.stuck_sagas", ignore_result=False)
def stuck_sagas(limit: int = 100) -> list[dict[str, Any]]:
    """Running or compensating sagas past a step deadline."""
    with app.engine.begin() as conn:
        found = reads.stuck(
            conn, datetime.now(UTC), limit=min(int(limit), 1000), summarize=summarize
        )
    return [saga.model_dump(mode="json") for saga in found]


@app.task(name="orchestrator.approve_saga", ignore_result=False)
def approve_saga(saga_id: str, by: str = "an operator") -> dict[str, Any]:
    """Approve an order awaiting review: the card is charged next."""
    log.info("operator_approve", saga_id=saga_id, by=by)
    return _operator(actions.decide, saga_id, True, by)


@app.task(name="orchestrator.reject_saga", ignore_result=False)
def reject_saga(saga_id: str, reason: str) -> dict[str, Any]:
    """Reject an order awaiting review: what was reserved is released."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("a rejection needs a reason")
    log.info("operator_reject", saga_id=saga_id, reason=reason)
    return _operator(actions.decide, saga_id, False, reason.strip())


# --- the definitions, for readers without the sagas' packages (sagactl, the web view) -----


@app.task(name="orchestrator.list_definitions", ignore_result=False)
def list_definitions() -> list[dict[str, Any]]:
    """Every version of every definition this orchestrator runs: name, version, whether
    new sagas start on it, how many of its sagas run, wait for a person or finished, and
    whether it can be retired; the input field its key comes from (``None``: no client
    can start it), step names, event types, first line of its description."""
    with app.engine.begin() as conn:
        counted = reads.version_counts(conn)
    return [found.model_dump(mode="json") for found in summaries(definitions(), counted)]


@app.task(name="orchestrator.describe_definition", ignore_result=False)
def describe_definition(
    name: str = "", state: str | None = None, steps: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One definition as text (``diagram.describe``) and as a Mermaid flowchart; given a
    saga's ``state`` and ``steps`` (step name -> status), the chart marks its position.
    ``name`` may name a version (``checkout@1``); without one, the start version."""
    try:
        saga = saga_registry.definition(*saga_registry.parse_spec(name))
    except saga_registry.MalformedSpec as exc:
        raise ValueError(str(exc)) from None
    except saga_registry.UnknownDefinition as exc:
        raise LookupError(str(exc)) from None
    if steps is not None and not isinstance(steps, Mapping):
        raise ValueError("steps must map step names to statuses")
    position = None if state is None else diagram.Position(str(state), dict(steps or {}))
    described = DefinitionDescription(
        name=saga.name, text=diagram.describe(saga), mermaid=diagram.mermaid(saga, position)
    )
    return described.model_dump(mode="json")
