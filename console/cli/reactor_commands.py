"""``sagactl reactors``: the subscriptions the event dispatcher holds (``events.*`` tasks),
whatever environment each reactor was installed in: list, unsubscribe, backfill. The
dispatcher answers in its own shape (plain JSON), read here as it documents it."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from console.cli.base import command, emit, group, iso_date
from console.text import columns
from saga_client.platform import REACTOR_PREFIX, SagaPlatform


def _name(raw: str) -> str:
    return raw.removeprefix(REACTOR_PREFIX)


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
        counts = [str(s[count]) for count in ("sent", "acknowledged", "behind")]
        rows.append([s["name"], s["origin"], ", ".join(s["events"]), state, *counts, seen])
        notes += [f"{s['name']}: {warning}" for warning in s["warnings"]]
    lines = columns(rows)
    if notes:
        lines += ["", *(f"warning: {note}" for note in notes)]
    return "\n".join(lines)


def run_reactors_list(args: argparse.Namespace, platform: SagaPlatform) -> int:
    emit(args, platform.subscriptions(), format_subscriptions)
    return 0


def run_reactors_unsubscribe(args: argparse.Namespace, platform: SagaPlatform) -> int:
    name = _name(args.name)
    platform.unsubscribe(name)
    print(
        f"reactor.{name} unsubscribed: it gets no more copies. Copies already queued stay in"
        f" the queue reactor.{name} until its worker takes them or you delete it"
        f" (redis-cli del reactor.{name})."
    )
    return 0


def run_reactors_backfill(args: argparse.Namespace, platform: SagaPlatform) -> int:
    name = _name(args.name)
    count = platform.backfill(name, args.since)
    since = f"logged since {args.since}" if args.since else "ever logged"
    print(
        f"sending {count} past event{'s' if count != 1 else ''} ({since}) to reactor.{name},"
        " a page at a time behind live events; it skips those it already handled"
    )
    return 0


def add_reactor_commands(commands: Any) -> None:
    reactors = group(
        commands, "reactors", "Reactors' subscriptions to the events: list, unsubscribe, backfill."
    )
    command(
        reactors,
        "list",
        run_reactors_list,
        "Every subscriber (plug-in or announced): events, copies sent and held, how far"
        " behind, last seen.",
    )
    writes = {
        "unsubscribe": (
            run_reactors_unsubscribe,
            "Retire a reactor: no more copies of events for it (stop its worker first).",
        ),
        "backfill": (
            run_reactors_backfill,
            "Have the event dispatcher send a reactor again the past events it subscribes to.",
        ),
    }
    parsers = {name: command(reactors, name, *spec, writes=True) for name, spec in writes.items()}
    for parser in parsers.values():
        parser.add_argument("name", metavar="NAME", help="the reactor's name, e.g. email")
    parsers["backfill"].add_argument(
        "--since",
        metavar="DATE",
        type=iso_date,
        help="only events logged from then on: an ISO date or date-time, UTC unless it has an"
        " offset (default: all of them)",
    )
