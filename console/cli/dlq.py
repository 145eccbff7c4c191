"""``sagactl dlq``: the dead letters every service parks (``<service>.dead_letters``) and
their replay (``<service>.replay_dead_letters``); and ``sagactl services``, the services
of the running platform these commands ask."""

from __future__ import annotations

import argparse
import json
from typing import Any

from console.cli.base import command, emit, group, int_at_least, limit
from console.dead_letters import Replayed, format_dead_letter, service_letters
from console.errors import UsageError
from console.services import SERVICE_HELP, services_of
from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError

# The most letters a service lists in one answer (its dead_letters task caps the limit).
MAX_LISTED = 1000


def run_services(args: argparse.Namespace, platform: SagaPlatform) -> int:
    emit(args, platform.services(), "\n".join)
    return 0


def run_dlq_list(args: argparse.Namespace, platform: SagaPlatform) -> int:
    services = services_of(platform, args.service)
    answers = service_letters(platform.dead_letters(services, args.limit))
    if args.json:
        print(json.dumps([a.to_json() for a in answers], indent=2, sort_keys=True))
    else:
        blocks = [answer.text() for answer in answers]
        # a table stands apart from the one-line services around it
        print("\n".join(block + "\n" if "\n" in block else block for block in blocks).rstrip())
    silent = [a.service for a in answers if a.silent]
    failed = [a.service for a in answers if a.error and not a.silent]
    problems = []
    if silent:
        problems.append(f"no answer within {platform.tasks.timeout:g}s from {', '.join(silent)}")
    if failed:
        problems.append(f"dead_letters failed on {', '.join(failed)}")
    if problems:
        raise CommandError("; ".join(problems))
    return 0


def _one_service(args: argparse.Namespace, platform: SagaPlatform) -> str:
    return services_of(platform, [args.service])[0]


def run_dlq_show(args: argparse.Namespace, platform: SagaPlatform) -> int:
    service = _one_service(args, platform)
    listing = platform.dead_letters_of(service, MAX_LISTED)
    letter = next((found for found in listing.dead_letters if found.id == args.id), None)
    if letter is None:
        raise CommandError(
            f"no parked dead letter {args.id} in {service}"
            f" ({listing.parked} parked; only parked letters are listed,"
            f" the newest {MAX_LISTED} of them)"
        )
    emit(args, letter, lambda found: format_dead_letter(found, service))
    return 0


def replay_letters(platform: SagaPlatform, service: str, ids: list[int] | None) -> Replayed:
    """Replay these parked letters of a service (``None``: all of them)."""
    requested = None if ids is None else sorted(set(ids))
    return Replayed.of(platform.replay_dead_letters(service, requested), requested)


def run_dlq_replay(args: argparse.Namespace, platform: SagaPlatform) -> int:
    if args.all and args.ids:
        raise UsageError("give the ids of the letters to replay or --all, not both")
    if not (args.all or args.ids):
        raise UsageError("give the ids of the letters to replay, or --all")
    outcome = replay_letters(platform, _one_service(args, platform), None if args.all else args.ids)
    print(outcome.summary)
    if outcome.refused:
        raise CommandError(outcome.refusal)
    return 0


def add_dlq_commands(commands: Any) -> None:
    summary = (
        "The services of the running platform: the orchestrator, the participants its"
        " definitions send commands to, and each subscribed reactor."
    )
    command(commands, "services", run_services, summary)
    dlq = group(commands, "dlq", "Dead letters: the messages a service parked, and their replay.")
    listing = command(
        dlq,
        "list",
        run_dlq_list,
        "Parked dead letters of each service, newest first, with the reason.",
    )
    listing.add_argument(
        "--service",
        action="append",
        metavar="S",
        help=f"only this service, repeatable: {SERVICE_HELP} (default: every service)",
    )
    limit(listing, "at most this many letters per service (default 100)")
    show = command(dlq, "show", run_dlq_show, "One parked dead letter: full reason and body.")
    show.add_argument("id", metavar="ID", type=int_at_least(1))
    show.add_argument("--service", required=True, metavar="S", help=SERVICE_HELP)
    again = command(
        dlq,
        "replay",
        run_dlq_replay,
        "Send parked dead letters to their service's inbound task again, once the cause is fixed.",
        writes=True,
    )
    again.add_argument("ids", nargs="*", metavar="ID", type=int_at_least(1))
    again.add_argument("--all", action="store_true", help="every letter parked in the service")
    again.add_argument("--service", required=True, metavar="S", help=SERVICE_HELP)
