"""A stand-in for the Celery app sagactl builds: answers each task by name, in turn (a
value, or an exception as the task raised it), and records what was sent and in which
order the answers were waited for. No broker needed."""

from __future__ import annotations

import argparse
from typing import Any, cast

import pytest

from console import cli


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


def task_client(
    outcomes: dict[str, list[Any]], timeout: float = 15.0
) -> tuple[cli.TaskClient, FakeApp]:
    """sagactl's task client on the stand-in."""
    app = FakeApp(outcomes)
    return cli.TaskClient(cast(Any, app), timeout=timeout), app


def sent_tasks(app: FakeApp) -> list[tuple[str, dict[str, Any], float | None]]:
    """Each task sent: its name, its arguments, and when it expires (None: a write, it
    stays queued until a worker takes it)."""
    return [(name, kwargs, options["expires"]) for name, kwargs, options in app.sent]


def words(line: str) -> str:
    """A printed line's words one space apart: its columns' contents, not their widths."""
    return " ".join(line.split())
