"""``sagactl dlq``: the dead letters every service parks (``<service>.dead_letters``) and
their replay (``<service>.replay_dead_letters``)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from messaging.reactors import NAME, Reactor, discover
from orchestrator.cli.client import CommandError, NoAnswer, RemoteError, TaskClient, UsageError
from orchestrator.cli.commands import emit
from orchestrator.timeline import format_dead_letter, format_dead_letters

CORE_SERVICES = ("orchestrator", "inventory", "payment", "shipping")
# The most letters a service lists in one answer (its dead_letters task caps the limit).
MAX_LISTED = 1000
# Once the first answers are in, the others have had as long: a last short wait each.
_LAST_WAIT = 0.5


def installed_reactors() -> dict[str, Reactor]:
    """The reactors installed here, by name (entry points: no broker needed)."""
    try:
        return discover()
    except Exception as exc:  # a broken entry point: say which, on one line
        raise CommandError(f"cannot discover the installed reactors: {exc}") from None


def resolve_service(name: str, reactors: Callable[[], Mapping[str, Reactor]]) -> str:
    """A core service, ``reactor.<name>``, or the bare name of an installed reactor."""
    if name in CORE_SERVICES:
        return name
    prefix, dot, rest = name.partition(".")
    if prefix == "reactor" and dot and NAME.match(rest):
        return name  # it may be installed on the worker's host only
    known = reactors()
    if name in known:
        return known[name].service
    installed = ", ".join(sorted(known)) or "none"
    raise UsageError(
        f"unknown service {name!r}: give {', '.join(CORE_SERVICES)}, or reactor.NAME"
        f" (installed reactors: {installed})"
    )


def services_of(names: Iterable[str] | None) -> list[str]:
    """The services named (in order, once each); by default every core service and every
    installed reactor."""
    if not names:
        return [*CORE_SERVICES, *(r.service for r in installed_reactors().values())]
    found: dict[str, Reactor] | None = None

    def reactors() -> dict[str, Reactor]:
        nonlocal found
        if found is None:
            found = installed_reactors()
        return found

    return list(dict.fromkeys(resolve_service(name, reactors) for name in names))


def run_dlq_list(args: argparse.Namespace, client: TaskClient) -> int:
    services = services_of(args.service)
    sent = [
        (service, client.send(f"{service}.dead_letters", {"limit": args.limit}))
        for service in services
    ]
    deadline = time.monotonic() + client.timeout
    answers: list[dict[str, Any]] = []
    blocks: list[str] = []
    silent: list[str] = []
    failed: list[str] = []
    for service, pending in sent:
        try:
            listing = client.wait(pending, timeout=max(deadline - time.monotonic(), _LAST_WAIT))
        except NoAnswer:
            silent.append(service)
            answers.append({"service": service, "error": "no answer"})
            blocks.append(f"{service}: no answer (worker down?)")
            continue
        except RemoteError as exc:
            failed.append(service)
            answers.append({"service": service, "error": str(exc)})
            blocks.append(f"{service}: {exc}")
            continue
        answers.append(listing)
        blocks.append(format_dead_letters(listing))
    if args.json:
        print(json.dumps(answers, indent=2, sort_keys=True))
    else:
        # a table stands apart from the one-line services around it
        print("\n".join(block + "\n" if "\n" in block else block for block in blocks).rstrip())
    problems = []
    if silent:
        problems.append(f"no answer within {client.timeout:g}s from {', '.join(silent)}")
    if failed:
        problems.append(f"dead_letters failed on {', '.join(failed)}")
    if problems:
        raise CommandError("; ".join(problems))
    return 0


def _one_service(args: argparse.Namespace) -> str:
    return services_of([args.service])[0]


def run_dlq_show(args: argparse.Namespace, client: TaskClient) -> int:
    service = _one_service(args)
    listing = client.call(f"{service}.dead_letters", {"limit": MAX_LISTED})
    letters = listing.get("dead_letters") or []
    letter = next((found for found in letters if found.get("id") == args.id), None)
    if letter is None:
        raise CommandError(
            f"no parked dead letter {args.id} in {service}"
            f" ({listing.get('parked', len(letters))} parked; only parked letters are listed,"
            f" the newest {MAX_LISTED} of them)"
        )
    emit(args, letter, lambda found: format_dead_letter(found, service))
    return 0


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(i) for i in ids)


def run_dlq_replay(args: argparse.Namespace, client: TaskClient) -> int:
    if args.all and args.ids:
        raise UsageError("give the ids of the letters to replay or --all, not both")
    if not (args.all or args.ids):
        raise UsageError("give the ids of the letters to replay, or --all")
    service = _one_service(args)
    requested = None if args.all else sorted(set(args.ids))
    result = client.call(f"{service}.replay_dead_letters", {"ids": requested}, write=True)
    replayed = [int(i) for i in result.get("replayed") or []]
    if replayed:
        print(
            f"{service}: replayed {len(replayed)} letter{'s' if len(replayed) != 1 else ''}"
            f" ({_ids(replayed)}), sent again to {service}.handle_message"
        )
    else:
        print(f"{service}: nothing replayed")
    refused = {int(i) for i in result.get("not_replayable") or []}
    refused |= set(requested or ()) - set(replayed)
    if refused:
        raise CommandError(
            f"not replayable in {service}: {_ids(sorted(refused))} (no such parked letter:"
            " unknown id, already replayed, or not a message of its inbound task)"
        )
    return 0
