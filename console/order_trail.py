"""Everything that happened to one saga's business, across every service, in time order:
the saga's own history merged with each participant's and reactor's records. Pure text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from console.timeline import entry_detail, parse_time, saga_keys, saga_name, stamp

Entry = Mapping[str, Any]


def root_key(saga: Mapping[str, Any]) -> str:
    """The key the participants' and reactors' records of a saga are filed under.

    Participants and reactors keep their records by order id (``<service>.order_trail``
    takes ``order_id``), and every saga is about one order: a checkout's business key
    is its order id, and a saga started for another one (a return) names that order as
    its ``parent_key``. So the rule is ``parent_key or business_key``: a return's trail
    holds everything done for its order, the checkout's steps included.
    """
    return str(saga.get("parent_key") or saga["business_key"])


def merged(saga: Mapping[str, Any], trails: Mapping[str, Sequence[Entry]]) -> list[dict[str, Any]]:
    """One list, oldest first: each entry has at, service, what, detail."""
    known = saga_keys(saga)
    rows = [
        {
            "at": h["at"],
            "service": "orchestrator",
            "what": " ".join(part for part in (h["kind"], h.get("step") or "") if part),
            "detail": " ".join(
                p for p in (h.get("message_type") or "", entry_detail(h, known)) if p
            ),
        }
        for h in saga["history"]
    ]
    for service, entries in trails.items():
        rows.extend({**entry, "service": service} for entry in entries)
    return sorted(rows, key=lambda row: parse_time(row["at"]))


def format_order_trail(
    saga: Mapping[str, Any], trails: Mapping[str, Sequence[Entry]], silent: Sequence[str]
) -> str:
    rows = merged(saga, trails)
    width = max((len(row["service"]) for row in rows), default=12)
    # "returns ret-7 (for ord-1)": the parent named is whose records are merged in
    lines = [f"{saga_name(saga)}, saga {saga['saga_id']}: everything, times UTC"]
    lines += [
        f"  {stamp(row['at'])}  {row['service']:<{width}}  {row['what']}"
        + (f"  {row['detail']}" if row.get("detail") else "")
        for row in rows
    ]
    lines.append(f"state now: {saga['state']}")
    lines += [f"  ({service} did not answer: its part is missing above)" for service in silent]
    return "\n".join(lines)
