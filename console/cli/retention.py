"""``sagactl retention``: each service's tables under retention, through its
``<service>.retention`` task (the service reads its own store; nobody else opens it)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from console.cli.base import command, to_json
from console.retention import format_retention
from console.services import SERVICE_HELP, services_of
from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError


def run_retention(args: argparse.Namespace, platform: SagaPlatform) -> int:
    answers = platform.retention_of(services_of(platform, args.service))
    reports = [answer for _, answer in answers if not isinstance(answer, CommandError)]
    failed = [(service, a) for service, a in answers if isinstance(a, CommandError)]
    if args.json:
        print(json.dumps(to_json(reports), indent=2, sort_keys=True))
    else:
        print("\n\n".join(format_retention(report) for report in reports))
    if failed:
        raise CommandError("; ".join(f"{service}: {error}" for service, error in failed))
    return 0


def add_retention_commands(commands: Any) -> None:
    summary = (
        "Per service and table: rows held, the oldest, what the next retention run would"
        " delete, and the setting in force."
    )
    found = command(commands, "retention", run_retention, summary)
    found.add_argument(
        "--service",
        action="append",
        metavar="S",
        help=f"only this service, repeatable: {SERVICE_HELP} (default: every service)",
    )
