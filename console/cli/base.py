"""What every sagactl command shares: its signature (arguments and the platform, an exit
code back), its output (text, or ``--json``: the read model as JSON), and the argparse
pieces each command group builds its arguments from."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from saga_client.platform import SagaPlatform

Command = Callable[[argparse.Namespace, SagaPlatform], int]


def to_json(value: Any) -> Any:
    """A read model (or lists and dicts of them) as the JSON its task answered."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


def emit(args: argparse.Namespace, result: Any, text: Callable[[Any], str]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(to_json(result), indent=2, sort_keys=True))
    else:
        print(text(result))


# --- argument types -------------------------------------------------------------------------


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= {low}")
        return int(text)

    return parse


def one_line(what: str) -> Callable[[str], str]:
    """Some text on one line (a reason, a reviewer's name): blank is refused."""

    def parse(text: str) -> str:
        line = " ".join(text.split())
        if not line:
            raise argparse.ArgumentTypeError(f"the {what} must not be blank")
        return line

    return parse


def iso_date(text: str) -> str:
    """An ISO date or date-time, passed on as given (naive ones are UTC to the worker)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or date-time (e.g. 2026-11-22 or 2026-11-22T03:00:00Z)"
        ) from None
    return text


# --- commands ---------------------------------------------------------------------------


def group(commands: Any, name: str, summary: str) -> Any:
    """A command with commands of its own, e.g. ``stock get``."""
    parser = commands.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(title="commands", metavar="COMMAND", required=True)


def command(
    commands: Any, names: str | Sequence[str], run: Command, summary: str, *, writes: bool = False
) -> argparse.ArgumentParser:
    """A command (``names``: its name, then its aliases). One that reads has ``--json``;
    one that writes (``writes``) prints what it did."""
    name, *aliases = [names] if isinstance(names, str) else names
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=summary, aliases=aliases
    )
    parser.set_defaults(run=run, parser=parser)
    if not writes:
        parser.add_argument("--json", action="store_true", help="print the raw JSON result")
    return parser


def limit(parser: argparse.ArgumentParser, help: str, default: int = 100) -> None:
    parser.add_argument("--limit", type=int_at_least(1), default=default, metavar="N", help=help)
