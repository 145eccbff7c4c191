"""Everything that happened to one saga's business, across every service, in time order:
the saga's own history (``SagaView.history``) merged with each participant's and reactor's
records (``TrailEntry``), filed under the saga's ``root_key``. Pure; sagactl prints it as
text, the web view as a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from console.text import saga_keys, saga_name, stamp, utc
from console.timeline import entry_detail
from messaging.contracts.read_models import SagaView, TrailEntry
from saga_client.platform import ORCHESTRATOR, REACTOR_PREFIX

# History kinds that record a participant's reply arriving at the orchestrator.
REPLY_KINDS = frozenset({"reply_applied", "reply_ignored"})


@dataclass(frozen=True)
class TrailRow:
    at: datetime  # UTC
    source: str  # orchestrator, reply, participant, reactor
    service: str
    what: str  # the history entry's kind, or what the service did
    step: str
    message_type: str
    detail: str


def merged(saga: SagaView, trails: Mapping[str, Sequence[TrailEntry]]) -> list[TrailRow]:
    """One list, oldest first."""
    known = saga_keys(saga)
    rows = [
        TrailRow(
            at=utc(entry.at),
            source="reply" if entry.kind in REPLY_KINDS else ORCHESTRATOR,
            service=ORCHESTRATOR,
            what=entry.kind,
            step=entry.step or "",
            message_type=entry.message_type or "",
            detail=entry_detail(entry, known),
        )
        for entry in saga.history
    ]
    rows += [
        TrailRow(
            at=utc(entry.at),
            source="reactor" if service.startswith(REACTOR_PREFIX) else "participant",
            service=service,
            what=entry.what,
            step="",
            message_type="",
            detail=entry.detail,
        )
        for service, entries in trails.items()
        for entry in entries
    ]
    return sorted(rows, key=lambda row: row.at)


def format_order_trail(
    saga: SagaView, trails: Mapping[str, Sequence[TrailEntry]], silent: Sequence[str]
) -> str:
    rows = merged(saga, trails)
    width = max((len(row.service) for row in rows), default=12)
    # "returns ret-7 (for ord-1)": the parent named is whose records are merged in
    lines = [f"{saga_name(saga)}, saga {saga.saga_id}: everything, times UTC"]
    for row in rows:
        what = " ".join(part for part in (row.what, row.step) if part)
        detail = " ".join(part for part in (row.message_type, row.detail) if part)
        line = f"  {stamp(row.at)}  {row.service:<{width}}  {what}"
        lines.append(line + (f"  {detail}" if detail else ""))
    lines.append(f"state now: {saga.state}")
    lines += [f"  ({service} did not answer: its part is missing above)" for service in silent]
    return "\n".join(lines)
