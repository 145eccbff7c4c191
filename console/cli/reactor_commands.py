"""``sagactl reactors``: the subscriptions the event dispatcher holds (``events.*`` tasks),
whatever environment each reactor was installed in: list, unsubscribe, backfill."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from console.cli.commands import emit
from console.timeline import columns
from messaging.subscriptions import BACKFILL, LIST, UNSUBSCRIBE
from saga_client.tasks import TaskClient


def _name(raw: str) -> str:
    return raw.removeprefix("reactor.")


def format_subscriptions(subscriptions: Sequence[Mapping[str, Any]]) -> str:
    if not subscriptions:
        return "no reactor has subscribed yet (a reactor subscribes when its worker starts)"
    rows = [["NAME", "FROM", "EVENTS", "STATE", "SENT", "HELD", "BEHIND", "LAST SEEN"]]
    notes = []
    for s in subscriptions:
        state = "active" if s["active"] else "unsubscribed"
        if s["active"] and s["catching_up"]:
            state = "catching up"
        seen = (s["last_seen_at"] or "never")[:19].replace("T", " ")
        rows.append(
            [
                s["name"],
                s["origin"],
                ", ".join(s["events"]),
                state,
                str(s["sent"]),
                str(s["acknowledged"]),
                str(s["behind"]),
                seen,
            ]
        )
        notes += [f"{s['name']}: {warning}" for warning in s["warnings"]]
    lines = columns(rows)
    if notes:
        lines += ["", *(f"warning: {note}" for note in notes)]
    return "\n".join(lines)


def run_reactors_list(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, client.call(LIST, {}), format_subscriptions)
    return 0


def run_reactors_unsubscribe(args: argparse.Namespace, client: TaskClient) -> int:
    name = _name(args.name)
    client.call(UNSUBSCRIBE, {"name": name}, write=True)
    print(
        f"reactor.{name} unsubscribed: it gets no more copies. Copies already queued stay in"
        f" the queue reactor.{name} until its worker takes them or you delete it"
        f" (redis-cli del reactor.{name})."
    )
    return 0


def run_reactors_backfill(args: argparse.Namespace, client: TaskClient) -> int:
    name = _name(args.name)
    result = client.call(BACKFILL, {"name": name, "since": args.since}, write=True)
    count = int(result.get("events", 0))
    since = f"logged since {args.since}" if args.since else "ever logged"
    print(
        f"sending {count} past event{'s' if count != 1 else ''} ({since}) to reactor.{name},"
        " a page at a time behind live events; it skips those it already handled"
    )
    return 0
