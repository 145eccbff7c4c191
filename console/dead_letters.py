"""Dead letters for operators: each service's parked letters (``DeadLetters``) as a table,
one letter in full, and the outcome of a replay in words. Pure: sagactl and the web view
ask the platform (``SagaPlatform``) and hand the answers here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from console.text import columns, first_line, short_id, stamp
from messaging.contracts.read_models import DeadLetters, DeadLetterView, ReplayResult
from saga_client.tasks import CommandError, NoAnswer

NO_ANSWER = "no answer"


@dataclass(frozen=True)
class ServiceLetters:
    """What one service answered to ``<service>.dead_letters``: its listing, or why not."""

    service: str
    listing: DeadLetters | None
    error: str | None = None  # NO_ANSWER (silent), or the failure of its task

    @property
    def silent(self) -> bool:
        return self.error == NO_ANSWER

    def to_json(self) -> dict[str, Any]:
        if self.listing is None:
            return {"service": self.service, "error": self.error}
        return self.listing.model_dump(mode="json")

    def text(self) -> str:
        if self.listing is not None:
            return format_dead_letters(self.listing)
        if self.silent:
            return f"{self.service}: {NO_ANSWER} (worker down?)"
        return f"{self.service}: {self.error}"


def service_letters(
    gathered: Iterable[tuple[str, DeadLetters | CommandError]],
) -> list[ServiceLetters]:
    """``SagaPlatform.dead_letters``' answers, each a listing or why there is none."""
    return [
        ServiceLetters(service, None, NO_ANSWER if isinstance(found, NoAnswer) else str(found))
        if isinstance(found, CommandError)
        else ServiceLetters(service, found)
        for service, found in gathered
    ]


def format_dead_letters(listing: DeadLetters) -> str:
    """The parked count, then one row per letter: id, parked at, task, short message id
    and the first line of the reason."""
    letters = listing.dead_letters
    shown = f", newest {len(letters)} shown" if len(letters) < listing.parked else ""
    header = f"{listing.service}: {listing.parked} parked{shown}"
    if not letters:
        return header
    rows = [["ID", "PARKED AT (UTC)", "TASK", "MESSAGE", "REASON"]]
    rows += [
        [
            str(letter.id),
            stamp(letter.parked_at),
            letter.task_name or "-",
            short_id(letter.message_id),
            first_line(letter.reason),
        ]
        for letter in letters
    ]
    return "\n".join([header, *("  " + line for line in columns(rows, right=frozenset({0})))])


def pretty_body(body: str) -> str:
    """A letter's body as indented JSON if it is JSON, else as stored."""
    try:
        return json.dumps(json.loads(body), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return body


def format_dead_letter(letter: DeadLetterView, service: str = "") -> str:
    """One dead letter in full: its fields, every line of the reason, and the body."""
    fields = [
        ("letter", f"{letter.id}" + (f" of {service}" if service else "")),
        ("status", letter.status or "-"),
        ("parked", f"{stamp(letter.parked_at)} UTC"),
        ("task", letter.task_name or "-"),
        ("message", letter.message_id or "-"),
    ]
    lines = [f"{label:<8} {value}".rstrip() for label, value in fields]
    lines += ["reason", *("  " + line for line in letter.reason.rstrip().splitlines())]
    lines += ["body", *("  " + line for line in pretty_body(letter.body).splitlines())]
    return "\n".join(line.rstrip() for line in lines)


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(i) for i in ids)


@dataclass(frozen=True)
class Replayed:
    """The outcome of ``<service>.replay_dead_letters``, and its words for an operator."""

    service: str
    replayed: list[int]
    refused: list[int]

    @classmethod
    def of(cls, result: ReplayResult, requested: Sequence[int] | None) -> Replayed:
        """What was replayed, and what was not: refused, or asked for and not replayed."""
        refused = set(result.not_replayable) | (set(requested or ()) - set(result.replayed))
        return cls(result.service, list(result.replayed), sorted(refused))

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
