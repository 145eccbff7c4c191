"""The argument parser of sagactl: the global options, then each group of commands, whose
arguments are built beside the commands themselves (``add_*_commands``)."""

from __future__ import annotations

import argparse
import os

from kombu.utils.url import maybe_sanitize_url

from console.cli.base import positive_float
from console.cli.definitions import add_definition_commands
from console.cli.dlq import add_dlq_commands
from console.cli.operator import add_operator_commands
from console.cli.participants import add_participant_commands
from console.cli.reactor_commands import add_reactor_commands
from console.cli.retention import add_retention_commands
from console.cli.sagas import add_saga_commands
from messaging.settings import DEFAULT_BROKER_URL

DEFAULT_TIMEOUT = 15.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagactl",
        description="Operate the sagas, dead letters and reactors through the workers' task API.",
        epilog="Exit codes: 0 done, 1 the platform failed or did not answer, 2 usage error.",
    )
    broker = os.environ.get("SAGA_BROKER_URL", DEFAULT_BROKER_URL)
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=broker,
        help=f"broker URL (default: $SAGA_BROKER_URL, now {maybe_sanitize_url(broker)});"
        " results come back through $SAGA_RESULT_BACKEND, else the broker",
    )
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=positive_float,
        default=DEFAULT_TIMEOUT,
        help="seconds to wait for each answer, and for --wait (default %(default)g)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in (
        add_saga_commands,
        add_definition_commands,
        add_operator_commands,
        add_participant_commands,
        add_dlq_commands,
        add_reactor_commands,
        add_retention_commands,
    ):
        add(commands)
    return parser
