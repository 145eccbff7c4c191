"""The saga commands of sagactl: submit, status, history, list, and following a saga to
its end (``--wait`` of submit and start).

A saga is named by its saga id, or by its business key (the latest saga with that key, of
the definition given with ``--definition``, else of any definition)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from console.cli.base import command, emit, int_at_least, to_json
from console.cli.orders import add_order_arguments, order_of
from console.order_trail import format_order_trail
from console.tables import format_saga_table
from console.timeline import format_status, format_timeline
from messaging.contracts.read_models import SagaView, TrailEntry
from messaging.contracts.saga_status import TERMINAL_STATUSES, SagaStatus
from saga_client.platform import ORCHESTRATOR, SagaPlatform
from saga_client.tasks import CommandError

POLL_INTERVAL = 0.5
_ID_HELP = "saga id, or business key (an order id for a checkout): the latest saga with that key"


def saga_of(args: argparse.Namespace, platform: SagaPlatform) -> SagaView:
    """The saga a command's ID (and ``--definition``) names."""
    return platform.find_saga(args.id, definition=getattr(args, "definition", None))


def follow(platform: SagaPlatform, saga_id: str) -> int:
    """Poll a saga until it ends (or ``--timeout`` passes), then print its timeline."""
    wait = platform.tasks.timeout
    saga = platform.wait_until_ended(saga_id, timeout=wait, poll=POLL_INTERVAL)
    print()
    print(format_timeline(saga))
    if saga.state not in TERMINAL_STATUSES:
        raise CommandError(
            f"saga still {saga.state} after {wait:g}s;"
            f" follow it with: sagactl history {saga.saga_id}"
        )
    return 0


def run_submit(args: argparse.Namespace, platform: SagaPlatform) -> int:
    placed = platform.place_order(order_of(args))
    print(f"saga   {placed.saga_id}\norder  {placed.order_id}\nstate  {placed.state}")
    if placed.duplicate:
        print("duplicate: same saga as before")
    return follow(platform, placed.saga_id) if args.wait else 0


def run_status(args: argparse.Namespace, platform: SagaPlatform) -> int:
    emit(args, saga_of(args, platform), format_status)
    return 0


def trails_of(
    platform: SagaPlatform, saga: SagaView
) -> tuple[dict[str, list[TrailEntry]], list[str]]:
    """What every participant and reactor of the running platform filed under the saga's
    root key (``<service>.order_trail``, asked of all at once), and the services that did
    not answer or failed (one of them, e.g. a plug-in reactor without an ``order_trail``
    task, must not hide the others)."""
    services = [s for s in platform.services() if s != ORCHESTRATOR]
    trails: dict[str, list[TrailEntry]] = {}
    silent: list[str] = []
    for service, trail in platform.order_trails(services, saga.root_key):
        if isinstance(trail, CommandError):  # no answer, its task failed, its result lost
            silent.append(service)
        else:
            trails[service] = trail
    return trails, silent


def run_history(args: argparse.Namespace, platform: SagaPlatform) -> int:
    saga = saga_of(args, platform)
    if args.saga_only:
        emit(args, saga, format_timeline)
        return 0
    trails, silent = trails_of(platform, saga)
    if args.json:
        found: dict[str, Any] = {"saga": saga, "trails": trails, "silent": silent}
        print(json.dumps(to_json(found), indent=2))
    else:
        print(format_order_trail(saga, trails, silent))
    return 0


def run_list(args: argparse.Namespace, platform: SagaPlatform) -> int:
    sagas = platform.list_sagas(state=args.state, limit=args.limit, definition=args.definition)
    emit(args, sagas, format_saga_table)
    return 0


def saga_id_argument(parser: argparse.ArgumentParser) -> None:
    """ID, and ``--definition`` to say whose key it is."""
    parser.add_argument("id", metavar="ID", help=_ID_HELP)
    parser.add_argument(
        "--definition",
        metavar="NAME",
        help="the key is one of this definition's (default: any definition, the latest saga)",
    )


def wait_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", action="store_true", help="follow the saga to its end, then print its timeline"
    )


def add_saga_commands(commands: Any) -> None:
    submit = command(
        commands,
        "submit",
        run_submit,
        "Place an order (start a checkout saga), from a JSON file or from flags.",
        writes=True,
    )
    add_order_arguments(submit)
    wait_argument(submit)
    summary = "A saga's key, summary, state, steps, failure and the message it waits on."
    saga_id_argument(command(commands, ("status", "show"), run_status, summary))
    history = command(
        commands,
        "history",
        run_history,
        "Everything that happened to a saga's order, across every service, in time order"
        " (the records filed under its parent key, else its own key).",
    )
    saga_id_argument(history)
    history.add_argument(
        "--saga-only", action="store_true", help="only the saga's own timeline (the orchestrator's)"
    )
    listing = command(commands, "list", run_list, "The latest sagas, newest first.")
    listing.add_argument(
        "--state", metavar="STATE", help=f"only sagas in this state: {', '.join(SagaStatus)}"
    )
    listing.add_argument(
        "--definition",
        metavar="NAME[@VERSION]",
        help="only sagas of this definition (checkout), or of one version of it (checkout@1)",
    )
    listing.add_argument(
        "--limit", type=int_at_least(1), default=100, help="at most this many (default 100)"
    )
