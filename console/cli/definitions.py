"""The saga definitions through sagactl: ``definitions`` lists those the orchestrator
runs, ``describe`` shows one (its steps, policies and diagram), ``start`` starts any of
them with an input. All three ask the running orchestrator, so they work from any
environment that reaches the broker, with or without the sagas' packages."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from console.cli.base import command, emit
from console.cli.orders import read_file, read_json_object
from console.cli.sagas import follow, wait_argument
from console.text import columns
from messaging.contracts.read_models import DefinitionDescription, DefinitionSummary
from saga_client.platform import SagaPlatform


def read_input(given: str) -> dict[str, Any]:
    """``--input``: a JSON object, ``@FILE``, or ``@-`` for stdin."""
    if not given.startswith("@"):
        return read_json_object("input", "--input", lambda: given)
    where = given[1:] or "-"
    return read_json_object("input", where, lambda: read_file(where))


def run_start(args: argparse.Namespace, platform: SagaPlatform) -> int:
    started = platform.start_saga(args.definition, read_input(args.input))
    print(
        f"saga   {started.saga_id} ({started.definition}@{started.definition_version})\n"
        f"key    {started.business_key}\nstate  {started.state}"
    )
    if started.duplicate:
        print("duplicate: same saga as before")
    return follow(platform, started.saga_id) if args.wait else 0


def format_definitions(found: Sequence[DefinitionSummary]) -> str:
    """One row per version of each definition the orchestrator runs: whether new sagas
    start on it, how many of its sagas run, wait for a person or finished; then which
    versions can be retired (docs/upgrading.md, Definition versions)."""
    if not found:
        return "no saga definitions"
    header = ["DEFINITION", "STARTS", "RUNNING", "WAITING", "FINISHED", "RETIRABLE", "KEY"]
    rows = [[*header, "STEPS", "EVENTS", "DESCRIPTION"]]
    rows += [
        [
            d.label,
            "new sagas" if d.starts_new else "-",
            str(d.running),
            str(d.waiting),
            str(d.finished),
            "yes" if d.retirable else "no",
            d.key_name or "-",
            " > ".join(d.steps),
            ", ".join(d.events) or "-",
            d.description,
        ]
        for d in found
    ]
    lines = columns(rows, right=frozenset({2, 3, 4}))
    retirable = [d.label for d in found if d.retirable]
    if retirable:
        lines += [
            "",
            f"can be retired: {', '.join(retirable)} (no saga runs or waits on it: remove it"
            " from its DEFINITIONS, then deploy)",
        ]
    return "\n".join(lines)


def run_definitions(args: argparse.Namespace, platform: SagaPlatform) -> int:
    emit(args, platform.list_definitions(), format_definitions)
    return 0


def format_description(described: DefinitionDescription) -> str:
    """The definition as text, then the Mermaid source of its diagram."""
    return f"{described.text.rstrip()}\n\ndiagram (Mermaid flowchart)\n{described.mermaid.rstrip()}"


def run_describe(args: argparse.Namespace, platform: SagaPlatform) -> int:
    described = platform.describe_definition(platform.send_describe_definition(args.name))
    if args.mermaid:
        print(described.mermaid.rstrip())
        return 0
    emit(args, described, format_description)
    return 0


def add_definition_commands(commands: Any) -> None:
    start = command(
        commands,
        "start",
        run_start,
        "Start a saga of any definition with its input (orchestrator.start_saga).",
        writes=True,
    )
    start.epilog = (
        'Example: sagactl start returns --input \'{"return_id": "ret-1", "order_id":'
        ' "ord-1", "lines": [{"sku": "SKU-1", "quantity": 1}], "reason":'
        ' "too small"}\' --wait'
    )
    start.add_argument("definition", metavar="DEFINITION", help="e.g. checkout (see: definitions)")
    start.add_argument(
        "--input",
        required=True,
        metavar="JSON|@FILE",
        help="the input as a JSON object, or @FILE to read it from a file (@- for stdin)",
    )
    wait_argument(start)
    summary = (
        "The saga definitions the orchestrator runs, every version: the sagas running,"
        " waiting and finished on each, which one new sagas start on, which can be retired;"
        " key, steps, events."
    )
    command(commands, "definitions", run_definitions, summary)
    describe = command(
        commands,
        "describe",
        run_describe,
        "One saga definition: its steps, services, replies, policies, compensations and"
        " events, and its diagram (Mermaid).",
    )
    describe.add_argument("name", metavar="DEFINITION")
    describe.add_argument(
        "--mermaid", action="store_true", help="print only the diagram's Mermaid source"
    )
