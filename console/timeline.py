"""A saga in plain text for operators: its timeline (one line per history entry) and its
status. Pure functions over the read models (``SagaView``, ``HistoryEntry``), so sagactl,
the web view and the demo print the same thing. Times are UTC.

They know no saga's own fields: a saga is named by its definition and business key, and
told apart by the "label: value" pairs its definition's ``summary`` gives. An entry's
``detail`` is the engine's own dict per kind: its keys are read where the kind has them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from console.text import (
    clock,
    columns,
    describe_failure,
    saga_keys,
    saga_name,
    seconds,
    short_id,
    since_ms,
    stamp,
)
from messaging.contracts.read_models import HistoryEntry, SagaView

# Reply payload fields worth showing on a timeline line: the references a participant
# gave (reservation_id, tracking_number, ...), by name.
_REFERENCE_SUFFIXES = ("_id", "_number", "_ref")


def _sent_detail(entry: HistoryEntry) -> str:
    """``message c4d8aa52, attempt 2``: the short message id, and the attempt if not the
    first (a command or compensation sent, or sent again)."""
    parts = []
    if entry.message_id:
        parts.append(f"message {short_id(entry.message_id)}")
    attempt = entry.detail.get("attempt")
    if attempt is not None and str(attempt) != "1":
        parts.append(f"attempt {attempt}")
    return ", ".join(parts)


def _outcome_unknown(detail: Mapping[str, Any]) -> str:
    """The step may have happened: the saga asks for its outcome, it never redoes it."""
    reason = f": {detail['reason']}" if detail.get("reason") else ""
    return (
        f"outcome unknown{reason}; asking again in {seconds(detail.get('check_in_seconds', '?'))}"
    )


# The kinds whose line depends on their detail alone.
_DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "reply_ignored": lambda detail: f"ignored: {detail.get('reason', '?')}",
    "failed": lambda detail: f"error: {detail.get('error', '?')}",
    "timed_out": lambda detail: str(detail.get("reason") or "no reply in time"),
    "cancel_requested": lambda detail: f"reason: {detail.get('reason', '?')}",
    "cancel_too_late": lambda detail: (
        f"cancel dropped, the saga goes on: {detail.get('reason', '?')}"
    ),
    "awaiting_approval": lambda detail: "waiting for a reviewer's decision",
    "approved": lambda detail: f"approved by {detail.get('by') or '?'}",
    "rejected": lambda detail: f"rejected: {detail.get('reason') or '?'}",
    "outcome_unknown": _outcome_unknown,
    "compensation_retry_scheduled": lambda detail: (
        f"attempt {detail.get('attempt', '?')} failed: {detail.get('reason', '?')};"
        f" retry in {seconds(detail.get('in_seconds', '?'))}"
    ),
}


def _references(payload: Mapping[str, Any], known: frozenset[str]) -> str:
    return " ".join(
        f"{key}={value}"
        for key, value in sorted(payload.items())
        if key.endswith(_REFERENCE_SUFFIXES) and str(value) not in known
    )


def entry_detail(entry: HistoryEntry, known: frozenset[str] = frozenset()) -> str:
    """The part of one history entry's detail an operator wants to read; reply fields
    whose value is in ``known`` (the saga's own keys, see ``saga_keys``) are left out."""
    kind, detail = entry.kind, entry.detail
    if kind in _DETAILS:
        return _DETAILS[kind](detail)
    if kind == "compensated" and detail:
        return f"after {detail.get('step', '?')} failed: {describe_failure(detail)}"
    if kind in ("command_sent", "compensation_sent"):
        return _sent_detail(entry)
    if kind == "command_resent":  # no reply in time: the same command, same message id
        sent = _sent_detail(entry) or f"attempt {detail.get('attempt', '?')}"
        return f"{sent} ({detail['reason']})" if detail.get("reason") else sent
    if kind == "retried_by_operator":
        return f"resumed at {entry.step or 'the failed step'} by an operator"
    payload = detail.get("payload")
    if isinstance(payload, Mapping):
        if "code" in payload or "reason" in payload:
            return describe_failure(payload)
        return _references(payload, known)
    return ""


def _ending(saga: SagaView) -> str:
    state = saga.state
    if state == "completed":
        return "final state: completed"
    if state in ("compensated", "failed"):
        why = saga.error or describe_failure(saga.failure or {})
        return f"final state: {state}" + (f" ({why})" if why else "")
    now = f"state now: {state}, at step {saga.current_step or '-'}"
    if state == "running" and saga.cancel_reason:
        now += f" (cancel requested: {saga.cancel_reason})"
    if state == "awaiting_approval":
        now += f" ({approval_due(saga)})"
    return now


def approval_due(saga: SagaView) -> str:
    """``awaiting approval until 2026-11-23 03:26:24.300 UTC`` (no decision by then
    is a rejection)."""
    if not saga.deadline:
        return "awaiting approval"
    return f"awaiting approval until {stamp(saga.deadline)} UTC"


def timeline_lines(saga: SagaView) -> list[str]:
    """One line per history entry: time, +ms since the saga started, kind, step, message
    type and detail; then the final (or current) state."""
    header = f"{saga_name(saga)}, saga {saga.saga_id}, times UTC"
    known = saga_keys(saga)
    rows = [
        [
            clock(entry.at),
            f"+{since_ms(entry.at, saga.created_at)}ms",
            entry.kind or "-",
            entry.step or "-",
            entry.message_type or "-",
            entry_detail(entry, known),
        ]
        for entry in saga.history
    ]
    body = ["  " + line for line in columns(rows, right=frozenset({1}))]
    return [header, *body, _ending(saga)]


def format_timeline(saga: SagaView) -> str:
    return "\n".join(timeline_lines(saga))


def format_status(saga: SagaView) -> str:
    """Key, the definition's summary, state, current step, the steps with their statuses,
    failure, error, awaited message."""
    step_rows = columns([[s.name, s.status] for s in saga.steps])
    fields: list[tuple[str, str]] = [
        ("saga", f"{saga.saga_id} ({saga.definition_label})"),
        ("key", saga.business_key),
    ]
    if saga.parent_key:
        fields.append(("parent", saga.parent_key))
    fields += list(saga.summary.items())
    fields += [("state", saga.state), ("step", saga.current_step or "-")]
    fields += [("steps" if i == 0 else "", row) for i, row in enumerate(step_rows)]
    if saga.failure:
        failure = saga.failure
        fields.append(("failure", f"{failure.get('step', '?')}: {describe_failure(failure)}"))
    if saga.error:
        fields.append(("error", saga.error))
    if saga.cancel_reason and saga.state == "running":
        fields.append(("cancel", f"requested: {saga.cancel_reason}"))
    checks = saga.data.get("status_checks")
    if checks:
        fields.append(("checks", f"{checks} (status asked after an unknown outcome)"))
    if saga.state == "awaiting_approval":  # no message in flight: a human decides
        fields.append(("review", approval_due(saga)))
    else:
        fields.append(("awaiting", saga.awaiting_message_id or "-"))
        if saga.deadline:
            fields.append(("deadline", f"{stamp(saga.deadline)} UTC{_attempt_note(saga)}"))
    fields.append(("updated", f"{stamp(saga.updated_at)} UTC (version {saga.version})"))
    width = max(9, *(len(label) for label, _ in fields))
    return "\n".join(f"{label:<{width}} {value}".rstrip() for label, value in fields)


def _attempt_note(saga: SagaView) -> str:
    if not saga.attempt:
        return ""
    if saga.state == "compensating" and not saga.awaiting_message_id:
        return f" (compensation retry due, after attempt {saga.attempt})"
    return f" (attempt {saga.attempt})"
