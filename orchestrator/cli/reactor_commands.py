"""``sagactl reactors``: the reactors installed here (entry points, no broker needed) and
the backfill of a reactor with past events (``orchestrator.backfill_events``)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from messaging.reactors import ENTRY_POINT_GROUP
from orchestrator.cli.client import TaskClient
from orchestrator.cli.commands import emit
from orchestrator.cli.dlq import installed_reactors
from orchestrator.timeline import columns


def reactor_rows() -> list[dict[str, Any]]:
    return [
        {
            "name": reactor.name,
            "queue": reactor.service,
            "events": sorted(reactor.events),
            "max_attempts": reactor.max_attempts,
        }
        for reactor in sorted(installed_reactors().values(), key=lambda r: r.name)
    ]


def format_reactors(reactors: Sequence[Mapping[str, Any]]) -> str:
    if not reactors:
        return f"no reactors installed (entry-point group {ENTRY_POINT_GROUP})"
    rows = [["NAME", "QUEUE", "EVENTS", "MAX ATTEMPTS"]]
    rows += [
        [r["name"], r["queue"], ", ".join(r["events"]), str(r["max_attempts"])] for r in reactors
    ]
    return "\n".join(columns(rows))


def run_reactors_list(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, reactor_rows(), format_reactors)
    return 0


def run_reactors_backfill(args: argparse.Namespace, client: TaskClient) -> int:
    name = args.name.removeprefix("reactor.")
    kwargs = {"reactor": name, "since": args.since}
    result = client.call("orchestrator.backfill_events", kwargs, write=True)
    count = int(result.get("events", 0))
    since = f"logged since {args.since}" if args.since else "ever logged"
    print(
        f"sent {count} past event{'s' if count != 1 else ''} ({since}) to reactor.{name};"
        " it skips those it already handled"
    )
    return 0
