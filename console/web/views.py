"""The data behind each page, read through ``SagaPlatform`` with sagactl's own functions:
read models and small dataclasses for the templates; no Flask here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from console.cli.operator import MAX_LISTED
from console.cli.sagas import trails_of
from console.dead_letters import ServiceLetters, service_letters
from console.order_trail import TrailRow, merged
from console.text import since_ms
from messaging.contracts.read_models import SagaSummary, SagaView, StuckSaga, TrailEntry
from messaging.contracts.saga_status import SagaStatus
from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError

LISTED = 100  # sagas in the table of the front page
STATES = [str(status) for status in SagaStatus]


@dataclass
class SagaList:
    counts: dict[str, int]  # per state
    sagas: list[SagaSummary]
    state: str | None
    query: str
    definition: str | None = None
    errors: list[str] = field(default_factory=list)


def _matches(saga: SagaSummary, query: str) -> bool:
    return query.casefold() in saga.business_key.casefold() or query == saga.saga_id


def saga_list(
    platform: SagaPlatform, state: str | None, query: str, definition: str | None = None
) -> SagaList:
    """Counts per state, then the newest sagas (of one state, of one definition), or those
    whose business key contains ``query`` (or whose saga id is ``query``)."""
    found = SagaList({}, [], state, query, definition)
    try:
        counted = platform.saga_counts(definition)
        found.counts = {name: counted.get(name, 0) for name in STATES}
    except CommandError as exc:
        found.errors.append(str(exc))
    limit = MAX_LISTED if query else LISTED
    listed = platform.list_sagas(state=state, limit=limit, definition=definition)
    if not query:
        found.sagas = listed
        return found
    found.sagas = [s for s in listed if _matches(s, query)]
    if not any(query in (s.business_key, s.saga_id) for s in found.sagas):
        try:  # an exact key (or saga id) older than the newest MAX_LISTED
            exact = platform.find_saga(query, definition=definition)
        except CommandError:
            return found
        if state in (None, exact.state):
            found.sagas.insert(0, exact)
    return found


@dataclass(frozen=True)
class Row(TrailRow):
    since_start_ms: int
    since_previous_ms: int


@dataclass
class Timeline:
    saga: SagaView
    rows: list[Row]
    silent: list[str]
    diagram: str | None = None  # Mermaid source, the saga's position marked
    diagram_error: str | None = None  # why there is none


def timeline_rows(saga: SagaView, trails: Mapping[str, Sequence[TrailEntry]]) -> list[Row]:
    """The saga's own history and every service's records, oldest first, each with the
    milliseconds since the saga started and since the row before."""
    rows: list[Row] = []
    previous: datetime = saga.created_at
    for row in merged(saga, trails):
        rows.append(
            Row(
                **vars(row),
                since_start_ms=since_ms(row.at, saga.created_at),
                since_previous_ms=since_ms(row.at, previous),
            )
        )
        previous = row.at
    return rows


def timeline(platform: SagaPlatform, ident: str) -> Timeline:
    """One saga (by saga id or key), everything every service did under its root key,
    and its definition's diagram with the saga's position."""
    saga = platform.find_saga(ident)
    steps = {s.name: s.status for s in saga.steps}
    # the version the saga runs, which may not be the one new sagas start on
    drawing = platform.send_describe_definition(saga.definition_label, saga.state, steps)
    trails, silent = trails_of(platform, saga)  # while the diagram is drawn
    found = Timeline(saga, timeline_rows(saga, trails), silent)
    try:
        found.diagram = platform.describe_definition(drawing).mermaid
    except CommandError as exc:  # an unknown definition, an older orchestrator: no diagram
        found.diagram_error = str(exc)
    return found


def stuck(platform: SagaPlatform) -> list[StuckSaga]:
    return platform.stuck_sagas(LISTED)


def dead_letters(platform: SagaPlatform) -> list[ServiceLetters]:
    """Each service's parked letters: every service of the running platform."""
    return service_letters(platform.dead_letters(platform.services(), LISTED))
