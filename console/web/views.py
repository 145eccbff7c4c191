"""The data behind each page, read through the task API with sagactl's own functions.
Plain dicts and lists for the templates; no Flask here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.cli.commands import MAX_LISTED, fetch_saga, fetch_trails
from console.cli.dlq import DeadLetterAnswers, gather_dead_letters, services_of
from console.order_trail import root_key
from console.timeline import entry_detail, parse_time, saga_keys
from messaging.contracts.saga_status import SagaStatus
from saga_client.tasks import CommandError, TaskClient

LISTED = 100  # sagas in the table of the front page
STATES = [str(status) for status in SagaStatus]
REACTOR_PREFIX = "reactor."  # every other service with a trail is a participant
# History kinds that record a participant's reply arriving at the orchestrator.
REPLY_KINDS = frozenset({"reply_applied", "reply_ignored"})


@dataclass
class SagaList:
    counts: dict[str, int]  # per state
    sagas: list[dict[str, Any]]
    state: str | None
    query: str
    definition: str | None = None
    errors: list[str] = field(default_factory=list)


def saga_list(
    client: TaskClient, state: str | None, query: str, definition: str | None = None
) -> SagaList:
    """Counts per state, then the newest sagas (of one state, of one definition), or those
    whose business key contains ``query`` (or whose saga id is ``query``)."""
    found = SagaList({}, [], state, query, definition)
    try:
        counted: dict[str, int] = client.call(
            "orchestrator.saga_counts", {"definition": definition}
        )
        found.counts = {name: counted.get(name, 0) for name in STATES}
    except CommandError as exc:
        found.errors.append(str(exc))
    limit = MAX_LISTED if query else LISTED
    listed: list[dict[str, Any]] = client.call(
        "orchestrator.list_sagas", {"state": state, "limit": limit, "definition": definition}
    )
    if not query:
        found.sagas = listed
        return found
    needle = query.casefold()
    found.sagas = [
        s
        for s in listed
        if needle in str(s.get("business_key", "")).casefold() or query == s.get("saga_id")
    ]
    if not any(query in (s.get("business_key"), s.get("saga_id")) for s in found.sagas):
        try:  # an exact key (or saga id) older than the newest MAX_LISTED
            exact = fetch_saga(client, query, definition=definition)
        except CommandError:
            return found
        if state in (None, exact.get("state")):
            found.sagas.insert(0, exact)
    return found


@dataclass(frozen=True)
class Row:
    at: str  # ISO timestamp
    since_start_ms: int
    since_previous_ms: int
    source: str  # orchestrator, reply, participant, reactor
    service: str
    what: str
    step: str
    message_type: str
    detail: str


@dataclass
class Timeline:
    saga: dict[str, Any]
    rows: list[Row]
    silent: list[str]
    diagram: str | None = None  # Mermaid source, the saga's position marked
    diagram_error: str | None = None  # why there is none


def _history_row(entry: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    kind = str(entry.get("kind") or "-")
    return {
        "at": entry["at"],
        "source": "reply" if kind in REPLY_KINDS else "orchestrator",
        "service": "orchestrator",
        "what": kind,
        "step": str(entry.get("step") or ""),
        "message_type": str(entry.get("message_type") or ""),
        "detail": entry_detail(entry, known),
    }


def _trail_row(service: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "at": entry["at"],
        "source": "reactor" if service.startswith(REACTOR_PREFIX) else "participant",
        "service": service,
        "what": str(entry.get("what") or "-"),
        "step": "",
        "message_type": "",
        "detail": str(entry.get("detail") or ""),
    }


def timeline_rows(
    saga: Mapping[str, Any], trails: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[Row]:
    """The saga's own history and every service's records, oldest first, each with the
    milliseconds since the saga started and since the row before."""
    known = saga_keys(saga)
    raw = [_history_row(entry, known) for entry in saga.get("history") or []]
    raw += [_trail_row(service, e) for service, entries in trails.items() for e in entries]
    raw.sort(key=lambda row: parse_time(row["at"]))
    start_value = saga.get("created_at") or (raw[0]["at"] if raw else None)
    start = parse_time(start_value) if start_value else None
    rows: list[Row] = []
    previous: datetime | None = start
    for row in raw:
        at = parse_time(row["at"])
        rows.append(
            Row(
                since_start_ms=_ms(at, start),
                since_previous_ms=_ms(at, previous),
                **row,
            )
        )
        previous = at
    return rows


def _ms(at: datetime, since: datetime | None) -> int:
    return round((at - since).total_seconds() * 1000) if since else 0


def timeline(client: TaskClient, ident: str) -> Timeline:
    """One saga (by saga id or key), everything every service did under its root key
    (``order_trail.root_key``), and its definition's diagram with the saga's position."""
    saga = fetch_saga(client, ident)
    position = {
        "name": saga.get("definition"),
        "state": saga.get("state"),
        "steps": {str(s["name"]): str(s["status"]) for s in saga.get("steps") or []},
    }
    drawing = client.send("orchestrator.describe_definition", position)  # while trails come
    trails, silent = fetch_trails(client, root_key(saga))
    found = Timeline(saga, timeline_rows(saga, trails), silent)
    try:
        found.diagram = str(client.wait(drawing)["mermaid"])
    except CommandError as exc:  # an unknown definition, an older orchestrator: no diagram
        found.diagram_error = str(exc)
    return found


def stuck(client: TaskClient) -> list[dict[str, Any]]:
    sagas: list[dict[str, Any]] = client.call("orchestrator.stuck_sagas", {"limit": LISTED})
    return sagas


def dead_letters(client: TaskClient) -> DeadLetterAnswers:
    """Each service's parked letters: the core services and every reactor installed here."""
    return gather_dead_letters(client, services_of(None), LISTED)
