"""Plain-text views for operators: a saga's status, its timeline, a listing of sagas, the
sagas stuck past a step deadline, the sagas awaiting a reviewer's decision, and a
service's dead letters.

Pure functions over the dicts that the task API returns (``orchestrator.get_saga``,
``orchestrator.list_sagas``, ``orchestrator.stuck_sagas``, ``<service>.dead_letters``;
JSON-decoded), so the CLI and the demo print the same thing. Times are UTC.

They know no saga's own fields: a saga is named by its definition and business key, and
told apart by the "label: value" pairs its definition's ``summary`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Saga = Mapping[str, Any]

# Reply payload fields worth showing on a timeline line: the references a participant
# gave (reservation_id, tracking_number, ...), by name.
_REFERENCE_SUFFIXES = ("_id", "_number", "_ref")


def parse_time(value: str) -> datetime:
    """An ISO timestamp as an aware UTC datetime (naive ones, from SQLite, are UTC)."""
    at = datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def clock(value: str) -> str:
    """``HH:MM:SS.mmm`` of an ISO timestamp."""
    return parse_time(value).strftime("%H:%M:%S.%f")[:-3]


def stamp(value: str | None) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm`` of an ISO timestamp, ``-`` if there is none."""
    if not value:
        return "-"
    return parse_time(value).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def describe_failure(failure: Mapping[str, Any]) -> str:
    """``code: reason`` (the reason alone if the code says nothing more)."""
    code, reason = failure.get("code"), failure.get("reason")
    if code and reason and code != reason:
        return f"{code}: {reason}"
    return str(reason or code or "")


def money(cents: int, currency: str) -> str:
    """``1234`` cents as ``12.34 EUR``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d} {currency}"


def seconds(value: Any) -> str:
    """A number of seconds as ``2s``, ``0.25s`` (as given if it is not a number)."""
    try:
        return f"{float(value):g}s"
    except (TypeError, ValueError):
        return str(value)


def _sent_detail(entry: Mapping[str, Any], detail: Mapping[str, Any]) -> str:
    """``message c4d8aa52, attempt 2``: the short message id, and the attempt if not the
    first (a command or compensation sent, or sent again)."""
    parts = []
    if entry.get("message_id"):
        parts.append(f"message {short_id(entry['message_id'])}")
    attempt = detail.get("attempt")
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
}


def saga_name(saga: Saga) -> str:
    """``checkout ord-1``; ``returns ret-7 (for ord-1)`` for a saga with a parent."""
    name = f"{saga.get('definition', '?')} {saga.get('business_key', '?')}"
    return name + (f" (for {saga['parent_key']})" if saga.get("parent_key") else "")


def summary_text(saga: Saga) -> str:
    """The definition's summary of a saga: ``customer cus-1, total 30.00 EUR``."""
    pairs: Mapping[str, Any] = saga.get("summary") or {}
    return ", ".join(f"{label} {value}" for label, value in pairs.items())


def saga_keys(saga: Saga) -> frozenset[str]:
    """The saga's business and parent keys: a reply repeating them says nothing new."""
    return frozenset(str(saga[k]) for k in ("business_key", "parent_key") if saga.get(k))


def _references(payload: Mapping[str, Any], known: frozenset[str]) -> str:
    return " ".join(
        f"{key}={value}"
        for key, value in sorted(payload.items())
        if key.endswith(_REFERENCE_SUFFIXES) and str(value) not in known
    )


def entry_detail(entry: Mapping[str, Any], known: frozenset[str] = frozenset()) -> str:
    """The part of one history entry's detail an operator wants to read; reply fields
    whose value is in ``known`` (the saga's own keys, see ``saga_keys``) are left out."""
    kind = entry.get("kind")
    detail = entry.get("detail") or {}
    if isinstance(kind, str) and kind in _DETAILS:
        return _DETAILS[kind](detail)
    if kind == "compensated" and detail:
        return f"after {detail.get('step', '?')} failed: {describe_failure(detail)}"
    if kind in ("command_sent", "compensation_sent"):
        return _sent_detail(entry, detail)
    if kind == "command_resent":  # no reply in time: the same command, same message id
        sent = _sent_detail(entry, detail) or f"attempt {detail.get('attempt', '?')}"
        return f"{sent} ({detail['reason']})" if detail.get("reason") else sent
    if kind == "compensation_retry_scheduled":
        return (
            f"attempt {detail.get('attempt', '?')} failed: {detail.get('reason', '?')};"
            f" retry in {seconds(detail.get('in_seconds', '?'))}"
        )
    if kind == "retried_by_operator":
        return f"resumed at {entry.get('step') or 'the failed step'} by an operator"
    payload = detail.get("payload")
    if isinstance(payload, Mapping):
        if "code" in payload or "reason" in payload:
            return describe_failure(payload)
        return _references(payload, known)
    return ""


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


def _ending(saga: Saga) -> str:
    state = saga.get("state", "?")
    if state == "completed":
        return "final state: completed"
    if state in ("compensated", "failed"):
        why = saga.get("error") or describe_failure(saga.get("failure") or {})
        return f"final state: {state}" + (f" ({why})" if why else "")
    now = f"state now: {state}, at step {saga.get('current_step') or '-'}"
    if state == "running" and saga.get("cancel_reason"):
        now += f" (cancel requested: {saga['cancel_reason']})"
    if state == "awaiting_approval":
        now += f" ({_approval_due(saga)})"
    return now


def _approval_due(saga: Saga) -> str:
    """``awaiting approval until 2026-11-23 03:26:24.300 UTC`` (no decision by then
    is a rejection)."""
    if not saga.get("deadline"):
        return "awaiting approval"
    return f"awaiting approval until {stamp(saga['deadline'])} UTC"


def timeline_lines(saga: Saga) -> list[str]:
    """One line per history entry: time, +ms since the saga started, kind, step, message
    type and detail; then the final (or current) state."""
    history: Sequence[Mapping[str, Any]] = saga.get("history") or []
    header = f"{saga_name(saga)}, saga {saga.get('saga_id', '?')}, times UTC"
    known = saga_keys(saga)
    start_value = saga.get("created_at") or (history[0]["at"] if history else None)
    start = parse_time(start_value) if start_value else None
    rows = []
    for entry in history:
        at = parse_time(entry["at"])
        elapsed = round((at - start).total_seconds() * 1000) if start else 0
        rows.append(
            [
                clock(entry["at"]),
                f"+{elapsed}ms",
                str(entry.get("kind") or "-"),
                str(entry.get("step") or "-"),
                str(entry.get("message_type") or "-"),
                entry_detail(entry, known),
            ]
        )
    body = ["  " + line for line in columns(rows, right=frozenset({1}))]
    return [header, *body, _ending(saga)]


def format_timeline(saga: Saga) -> str:
    return "\n".join(timeline_lines(saga))


def format_status(saga: Saga) -> str:
    """Key, the definition's summary, state, current step, the steps with their statuses,
    failure, error, awaited message."""
    steps: Sequence[Mapping[str, Any]] = saga.get("steps") or []
    step_rows = columns([[str(s.get("name")), str(s.get("status"))] for s in steps])
    fields: list[tuple[str, str]] = [
        ("saga", f"{saga.get('saga_id', '?')} ({saga.get('definition', '?')})"),
        ("key", str(saga.get("business_key", "?"))),
    ]
    if saga.get("parent_key"):
        fields.append(("parent", str(saga["parent_key"])))
    summary: Mapping[str, Any] = saga.get("summary") or {}
    fields += [(str(label), str(value)) for label, value in summary.items()]
    fields += [
        ("state", str(saga.get("state", "?"))),
        ("step", str(saga.get("current_step") or "-")),
    ]
    fields += [("steps" if i == 0 else "", row) for i, row in enumerate(step_rows)]
    if saga.get("failure"):
        failure = saga["failure"]
        fields.append(("failure", f"{failure.get('step', '?')}: {describe_failure(failure)}"))
    if saga.get("error"):
        fields.append(("error", str(saga["error"])))
    if saga.get("cancel_reason") and saga.get("state") == "running":
        fields.append(("cancel", f"requested: {saga['cancel_reason']}"))
    checks = (saga.get("data") or {}).get("status_checks")
    if checks:
        fields.append(("checks", f"{checks} (status asked after an unknown outcome)"))
    if saga.get("state") == "awaiting_approval":  # no message in flight: a human decides
        fields.append(("review", _approval_due(saga)))
    else:
        fields.append(("awaiting", str(saga.get("awaiting_message_id") or "-")))
        if saga.get("deadline"):
            fields.append(("deadline", f"{stamp(saga['deadline'])} UTC{_attempt_note(saga)}"))
    fields += [
        ("updated", f"{stamp(saga.get('updated_at'))} UTC (version {saga.get('version', '?')})"),
    ]
    width = max(9, *(len(label) for label, _ in fields))
    return "\n".join(f"{label:<{width}} {value}".rstrip() for label, value in fields)


def _attempt_note(saga: Saga) -> str:
    attempt = saga.get("attempt")
    if not attempt:
        return ""
    if saga.get("state") == "compensating" and not saga.get("awaiting_message_id"):
        return f" (compensation retry due, after attempt {attempt})"
    return f" (attempt {attempt})"


def _named_rows(sagas: Sequence[Saga]) -> list[list[str]]:
    """The first cells of a saga's row: saga id, definition, business key."""
    return [
        [str(s.get("saga_id", "?")), str(s.get("definition", "?")), str(s.get("business_key", "?"))]
        for s in sagas
    ]


def format_saga_table(sagas: Sequence[Saga]) -> str:
    """Saga id, definition, business key, state, current step, last update and the
    definition's summary of each saga summary."""
    if not sagas:
        return "no sagas"
    rows = [["SAGA ID", "DEFINITION", "KEY", "STATE", "STEP", "UPDATED (UTC)", "SUMMARY"]]
    rows += [
        [
            *named,
            str(s.get("state", "?")),
            str(s.get("current_step") or "-"),
            stamp(s.get("updated_at")),
            summary_text(s),
        ]
        for named, s in zip(_named_rows(sagas), sagas, strict=True)
    ]
    return "\n".join(columns(rows))


def format_stuck_table(sagas: Sequence[Saga]) -> str:
    """The ``orchestrator.stuck_sagas`` result: saga id, definition, key, state, step,
    attempt, waiting since, step deadline and the short id of the message each one waits
    on."""
    if not sagas:
        return "no stuck sagas"
    rows = [
        [
            "SAGA ID",
            "DEFINITION",
            "KEY",
            "STATE",
            "STEP",
            "ATTEMPT",
            "WAITING SINCE (UTC)",
            "DEADLINE (UTC)",
            "WAITING ON",
        ]
    ]
    rows += [
        [
            *named,
            str(s.get("state", "?")),
            str(s.get("current_step") or "-"),
            str(s.get("attempt") if s.get("attempt") is not None else "-"),
            stamp(s.get("since") or s.get("updated_at")),
            stamp(s.get("deadline")),
            short_ids(s.get("waiting_on")),
        ]
        for named, s in zip(_named_rows(sagas), sagas, strict=True)
    ]
    return "\n".join(columns(rows, right=frozenset({5})))


def _deadline_order(saga: Saga) -> tuple[bool, datetime]:
    deadline = saga.get("deadline")
    return (not deadline, parse_time(deadline) if deadline else datetime.min.replace(tzinfo=UTC))


def review_queue(sagas: Sequence[Saga]) -> list[Saga]:
    """Sagas awaiting approval, the soonest deadline first (none: last)."""
    return sorted(sagas, key=_deadline_order)


def format_review_table(sagas: Sequence[Saga]) -> str:
    """Sagas awaiting a reviewer's decision: saga id, definition, key, waiting since (their
    last update), the deadline (after which no decision is a rejection) and the
    definition's summary."""
    if not sagas:
        return "no sagas awaiting approval"
    rows = [["SAGA ID", "DEFINITION", "KEY", "WAITING SINCE (UTC)", "DEADLINE (UTC)", "SUMMARY"]]
    rows += [
        [*named, stamp(s.get("updated_at")), stamp(s.get("deadline")), summary_text(s)]
        for named, s in zip(_named_rows(sagas), sagas, strict=True)
    ]
    return "\n".join(columns(rows))


# --- dead letters -------------------------------------------------------------------------

REASON_WIDTH = 80


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


def format_dead_letters(listing: Mapping[str, Any]) -> str:
    """A ``<service>.dead_letters`` result: the parked count, then one row per letter:
    id, parked at, task, short message id and the first line of the reason."""
    service = listing.get("service", "?")
    letters: Sequence[Mapping[str, Any]] = listing.get("dead_letters") or []
    parked = int(listing.get("parked", len(letters)))
    shown = f", newest {len(letters)} shown" if len(letters) < parked else ""
    header = f"{service}: {parked} parked{shown}"
    if not letters:
        return header
    rows = [["ID", "PARKED AT (UTC)", "TASK", "MESSAGE", "REASON"]]
    rows += [
        [
            str(letter.get("id", "?")),
            stamp(letter.get("parked_at")),
            str(letter.get("task_name") or "-"),
            short_id(letter.get("message_id")),
            first_line(str(letter.get("reason") or "")),
        ]
        for letter in letters
    ]
    return "\n".join([header, *("  " + line for line in columns(rows, right=frozenset({0})))])


def pretty_body(body: Any) -> str:
    """A letter's body as indented JSON if it is JSON, else as stored."""
    value = body
    if isinstance(body, str):
        try:
            value = json.loads(body)
        except ValueError:
            return body
    try:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def format_dead_letter(letter: Mapping[str, Any], service: str = "") -> str:
    """One dead letter in full: its fields, every line of the reason, and the body."""
    fields = [
        ("letter", f"{letter.get('id', '?')}" + (f" of {service}" if service else "")),
        ("status", str(letter.get("status") or "-")),
        ("parked", f"{stamp(letter.get('parked_at'))} UTC"),
        ("task", str(letter.get("task_name") or "-")),
        ("message", str(letter.get("message_id") or "-")),
    ]
    lines = [f"{label:<8} {value}".rstrip() for label, value in fields]
    reason = str(letter.get("reason") or "").rstrip()
    lines += ["reason", *("  " + line for line in reason.splitlines())]
    lines += ["body", *("  " + line for line in pretty_body(letter.get("body", "")).splitlines())]
    return "\n".join(line.rstrip() for line in lines)
