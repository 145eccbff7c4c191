"""The saga definitions through sagactl: ``definitions`` lists those the orchestrator
runs, ``describe`` shows one (its steps, policies and diagram), ``start`` starts any of
them with an input. All three ask the running orchestrator, so they work from any
environment that reaches the broker, with or without the sagas' packages."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from console.cli.commands import emit, follow
from console.timeline import columns
from saga_client.tasks import CommandError, TaskClient


def read_input(given: str) -> dict[str, Any]:
    """``--input``: a JSON object, ``@FILE``, or ``@-`` for stdin."""
    where = "--input"
    text = given
    try:
        if given.startswith("@"):
            where = given[1:] or "-"
            text = sys.stdin.read() if where == "-" else Path(where).read_text(encoding="utf-8")
        found = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the input from {where}: {exc}") from None
    if not isinstance(found, dict):
        raise CommandError(f"the input in {where} must be a JSON object")
    return found


def run_start(args: argparse.Namespace, client: TaskClient) -> int:
    kwargs = {"definition": args.definition, "input": read_input(args.input)}
    started = client.call("orchestrator.start_saga", kwargs, write=True)
    print(
        f"saga   {started['saga_id']} ({started['definition']})\n"
        f"key    {started['business_key']}\nstate  {started['state']}"
    )
    if started.get("duplicate"):
        print("duplicate: same saga as before")
    return follow(client, started["saga_id"]) if args.wait else 0


def format_definitions(found: Sequence[Mapping[str, Any]]) -> str:
    """One row per ``orchestrator.list_definitions`` entry."""
    if not found:
        return "no saga definitions"
    rows = [["NAME", "KEY", "STEPS", "EVENTS", "DESCRIPTION"]]
    rows += [
        [
            str(d.get("name", "?")),
            str(d.get("key_name") or "-"),
            " > ".join(d.get("steps") or []),
            ", ".join(d.get("events") or []) or "-",
            str(d.get("description") or ""),
        ]
        for d in found
    ]
    return "\n".join(columns(rows))


def run_definitions(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, client.call("orchestrator.list_definitions", {}), format_definitions)
    return 0


def format_description(described: Mapping[str, Any]) -> str:
    """``orchestrator.describe_definition``: the text, then the Mermaid source."""
    text = str(described.get("text", "")).rstrip()
    diagram = str(described.get("mermaid", "")).rstrip()
    return f"{text}\n\ndiagram (Mermaid flowchart)\n{diagram}"


def run_describe(args: argparse.Namespace, client: TaskClient) -> int:
    described = client.call("orchestrator.describe_definition", {"name": args.name})
    if args.mermaid:
        print(str(described.get("mermaid", "")).rstrip())
        return 0
    emit(args, described, format_description)
    return 0
