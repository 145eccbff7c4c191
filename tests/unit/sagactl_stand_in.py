"""A stand-in for the Celery app sagactl builds: answers each task by name, in turn (a
value, or an exception as the task raised it), and records what was sent and in which
order the answers were waited for. No broker needed. And the answers the platform gives,
built from the read models (``saga_view``, ``stuck_saga``, ``dead_letters``...)."""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple, cast

import pytest

from console import cli
from messaging.contracts.read_models import (
    DeadLetters,
    DeadLetterView,
    DefinitionSummary,
    HistoryEntry,
    OperatorResult,
    ReadModel,
    SagaSummary,
    SagaView,
    StuckSaga,
)
from saga_client.platform import SagaPlatform
from saga_client.tasks import TaskClient


class FakeResult:
    def __init__(self, app: FakeApp, name: str, outcome: Any) -> None:
        self.app = app
        self.name = name
        self.outcome = outcome

    def get(self, timeout: float) -> Any:
        self.app.events.append(("get", self.name))
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class FakeApp:
    def __init__(self, outcomes: dict[str, list[Any]]) -> None:
        self.outcomes = {name: list(answers) for name, answers in outcomes.items()}
        self.sent: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.events: list[tuple[str, str]] = []
        self.conf = argparse.Namespace(broker_url="redis://127.0.0.1:6379/0")
        self.backend = argparse.Namespace(connection_errors=(ConnectionError,))

    def send_task(self, name: str, kwargs: dict[str, Any], **options: Any) -> FakeResult:
        self.sent.append((name, kwargs, options))
        self.events.append(("send", name))
        return FakeResult(self, name, self.outcomes[name].pop(0))

    def close(self) -> None:
        pass


def run_sagactl(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], **outcomes: Any
) -> tuple[int, FakeApp]:
    """Run sagactl; each task answers with its outcomes in turn."""
    app = FakeApp(outcomes)
    monkeypatch.setattr(cli, "build_app", lambda broker, backend: app)
    return cli.main(argv), app


class Printed(NamedTuple):
    """What sagactl printed: on stdout, on stderr."""

    out: str
    err: str


class Sagactl:
    """sagactl run on the stand-in, in a test (the ``sagactl`` fixture): ``run`` it, then
    read what it ``printed``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def run(self, argv: list[str], **outcomes: Any) -> tuple[int, FakeApp]:
        """Run sagactl; each task answers with its outcomes in turn."""
        return run_sagactl(self.monkeypatch, argv, **outcomes)

    def write(self, argv: list[str], found: Any, task: str, result: Any) -> tuple[int, FakeApp]:
        """Run a write on a saga: get_saga answers ``found``, then ``task`` answers ``result``."""
        return self.run(argv, **{"orchestrator.get_saga": [found], task: [result]})

    def answered_once(self, argv: list[str], **outcomes: Any) -> tuple[int, FakeApp]:
        """Run sagactl; each task is answered once, with its outcome; the platform's services
        are asked for, and answered, first (PLATFORM_SERVICES)."""
        answers = {**PLATFORM_SERVICES, **outcomes}
        return self.run(argv, **{name: [outcome] for name, outcome in answers.items()})

    def printed(self) -> Printed:
        """What sagactl printed since the last call."""
        out, err = self.capsys.readouterr()
        return Printed(out, err)


def task_client(
    outcomes: dict[str, list[Any]], timeout: float = 15.0
) -> tuple[TaskClient, FakeApp]:
    """sagactl's task client on the stand-in."""
    app = FakeApp(outcomes)
    return TaskClient(cast(Any, app), timeout=timeout), app


def platform(outcomes: dict[str, list[Any]], timeout: float = 15.0) -> tuple[SagaPlatform, FakeApp]:
    """sagactl's client of the platform on the stand-in."""
    client, app = task_client(outcomes, timeout)
    return SagaPlatform(client), app


def sent_tasks(app: FakeApp) -> list[tuple[str, dict[str, Any], float | None]]:
    """Each task sent: its name, its arguments, and when it expires (None: a write, it
    stays queued until a worker takes it)."""
    return [(name, kwargs, options["expires"]) for name, kwargs, options in app.sent]


def words(line: str) -> str:
    """A printed line's words one space apart: its columns' contents, not their widths."""
    return " ".join(line.split())


# --- the platform's answers, built from the read models (they cannot drift from them) ---------

SAGA_ID = "70c085b7-4479-4412-985a-6937a168e36c"
OTHER_SAGA_ID = "73adc3cb-518a-429d-a4e0-9d007bcb72ed"
MESSAGE_ID = "c4d8aa52-0000-4000-8000-000000000001"
AT = "2026-11-22T03:26:24.158000"  # SQLite: naive UTC
PARTICIPANTS = ("inventory", "payment", "shipping")


def answer(model: type[ReadModel], fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as ``model``'s task answers them: validated, then dumped as JSON."""
    return model.model_validate(fields).model_dump(mode="json")


def saga_summary(**fields: Any) -> dict[str, Any]:
    """A list_sagas row: checkout ord-1, running (``fields`` override)."""
    return answer(SagaSummary, {**_SUMMARY, **fields})


def saga_view(**fields: Any) -> dict[str, Any]:
    """A get_saga answer: checkout ord-1, running, no history (``fields`` override)."""
    return answer(SagaView, {**_SUMMARY, "version": 4, **fields})


def stuck_saga(**fields: Any) -> dict[str, Any]:
    """A stuck_sagas row: checkout ord-1 waiting on MESSAGE_ID (``fields`` override)."""
    return answer(StuckSaga, {**_SUMMARY, "waiting_on": MESSAGE_ID, "since": AT, **fields})


def entry(kind: str, step: str | None = None, **fields: Any) -> dict[str, Any]:
    """One history entry of a get_saga answer."""
    return answer(HistoryEntry, {"at": AT, "kind": kind, "step": step, "version": 1, **fields})


def view(**fields: Any) -> SagaView:
    """``saga_view`` parsed, as the console reads it."""
    return SagaView.model_validate(saga_view(**fields))


def acted(
    state: str, step: str | None = "charge_payment", saga_id: str = SAGA_ID
) -> dict[str, Any]:
    """A retry_saga, cancel_saga, approve_saga or reject_saga answer."""
    return answer(OperatorResult, {"saga_id": saga_id, "state": state, "current_step": step})


def definition(name: str, *steps: str, **fields: Any) -> dict[str, Any]:
    """A list_definitions row."""
    found = {"name": name, "key_name": None, "steps": list(steps), "events": [], **fields}
    return answer(DefinitionSummary, found)


def services(*reactors: str, participants: tuple[str, ...] = PARTICIPANTS) -> dict[str, Any]:
    """The answers ``SagaPlatform.services()`` reads once: the definitions (naming the
    participants) and the reactors' subscriptions."""
    checkout = definition("checkout", "reserve_inventory", services=list(participants))
    subscribed = [{"name": name, "active": True} for name in reactors]
    return {"orchestrator.list_definitions": [[checkout]], "events.subscriptions": [subscribed]}


# The platform's answers naming its services: three participants, two reactors.
PLATFORM_SERVICES = {name: answers[0] for name, answers in services("email", "crm").items()}


def dead_letter(letter_id: int, reason: str, **fields: Any) -> dict[str, Any]:
    body = f'{{"message_id": "{MESSAGE_ID}", "type": "Nope"}}'
    found = {"id": letter_id, "parked_at": AT, "task_name": "inventory.handle_message"}
    found |= {"message_id": MESSAGE_ID, "reason": reason, "body": body, "status": "parked"}
    return answer(DeadLetterView, {**found, **fields})


def dead_letters(
    service: str, *letters: dict[str, Any], parked: int | None = None
) -> dict[str, Any]:
    count = len(letters) if parked is None else parked
    return answer(DeadLetters, {"service": service, "parked": count, "dead_letters": letters})


_SUMMARY: dict[str, Any] = {
    "saga_id": SAGA_ID,
    "definition": "checkout",
    "business_key": "ord-1",
    "summary": {"customer": "cus-1", "total": "30.00 EUR"},
    "correlation_id": "corr-1",
    "state": "running",
    "created_at": AT,
    "updated_at": "2026-11-22T03:26:24.300000",
}
