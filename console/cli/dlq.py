"""``sagactl dlq``: the dead letters every service parks (``<service>.dead_letters``) and
their replay (``<service>.replay_dead_letters``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.cli.commands import emit
from console.errors import UsageError
from console.timeline import format_dead_letter, format_dead_letters
from messaging.reactors import Reactor, discover
from messaging.subscriptions import NAME
from saga_client.tasks import CommandError, NoAnswer, TaskClient

CORE_SERVICES = ("orchestrator", "inventory", "payment", "shipping")
# The most letters a service lists in one answer (its dead_letters task caps the limit).
MAX_LISTED = 1000
# Once the first answers are in, the others have had as long: a last short wait each.


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


@dataclass(frozen=True)
class DeadLetterAnswers:
    """What each service answered to ``<service>.dead_letters``, in the order asked: its
    listing, or ``{"service": ..., "error": ...}`` if it did not answer or failed."""

    answers: list[dict[str, Any]]
    silent: list[str]  # no answer in time
    failed: list[str]  # the task raised


def gather_dead_letters(client: TaskClient, services: list[str], limit: int) -> DeadLetterAnswers:
    """Ask every service at once; the whole wait is bounded by the client's timeout."""
    sent = [
        (service, client.send(f"{service}.dead_letters", {"limit": limit})) for service in services
    ]
    found = DeadLetterAnswers([], [], [])
    for service, listing in client.gather(sent):
        if isinstance(listing, NoAnswer):
            found.silent.append(service)
            found.answers.append({"service": service, "error": "no answer"})
        elif isinstance(listing, CommandError):
            found.failed.append(service)
            found.answers.append({"service": service, "error": str(listing)})
        else:
            found.answers.append(listing)
    return found


def _dead_letter_block(answer: Mapping[str, Any]) -> str:
    if answer.get("error") == "no answer":
        return f"{answer['service']}: no answer (worker down?)"
    if "error" in answer:
        return f"{answer['service']}: {answer['error']}"
    return format_dead_letters(answer)


def run_dlq_list(args: argparse.Namespace, client: TaskClient) -> int:
    found = gather_dead_letters(client, services_of(args.service), args.limit)
    answers, silent, failed = found.answers, found.silent, found.failed
    blocks = [_dead_letter_block(answer) for answer in answers]
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
    outcome = replay_letters(client, service, None if args.all else args.ids)
    print(outcome.summary)
    if outcome.refused:
        raise CommandError(outcome.refusal)
    return 0


@dataclass(frozen=True)
class Replayed:
    """The outcome of ``<service>.replay_dead_letters``, and its words for an operator."""

    service: str
    replayed: list[int]
    refused: list[int]

    @property
    def summary(self) -> str:
        if not self.replayed:
            return f"{self.service}: nothing replayed"
        return (
            f"{self.service}: replayed {len(self.replayed)}"
            f" letter{'s' if len(self.replayed) != 1 else ''} ({_ids(self.replayed)}),"
            f" sent again to {self.service}.handle_message"
        )

    @property
    def refusal(self) -> str:
        return (
            f"not replayable in {self.service}: {_ids(self.refused)} (no such parked letter:"
            " unknown id, already replayed, or not a message of its inbound task)"
        )


def replay_letters(client: TaskClient, service: str, ids: Iterable[int] | None) -> Replayed:
    """Replay these parked letters of a service (``None``: all of them)."""
    requested = None if ids is None else sorted(set(ids))
    result = client.call(f"{service}.replay_dead_letters", {"ids": requested}, write=True)
    replayed = [int(i) for i in result.get("replayed") or []]
    refused = {int(i) for i in result.get("not_replayable") or []}
    refused |= set(requested or ()) - set(replayed)
    return Replayed(service, replayed, sorted(refused))
