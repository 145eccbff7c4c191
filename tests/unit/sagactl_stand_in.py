"""A stand-in for the Celery app sagactl builds: answers each task by name, in order (a
value, or an exception as the task raised it). No broker needed."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from console import cli


class FakeResult:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    def get(self, timeout: float) -> Any:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class FakeApp:
    def __init__(self, outcomes: dict[str, list[Any]]) -> None:
        self.outcomes = {name: list(answers) for name, answers in outcomes.items()}
        self.sent: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.conf = argparse.Namespace(broker_url="redis://127.0.0.1:6379/0")
        self.backend = argparse.Namespace(connection_errors=(ConnectionError,))

    def send_task(self, name: str, kwargs: dict[str, Any], **options: Any) -> FakeResult:
        self.sent.append((name, kwargs, options))
        return FakeResult(self.outcomes[name].pop(0))

    def close(self) -> None:
        pass


def run_sagactl(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], **outcomes: Any
) -> tuple[int, FakeApp]:
    """Run sagactl; each task answers with its outcomes in turn (a value, or an exception
    as the task raised it)."""
    app = FakeApp(outcomes)
    monkeypatch.setattr(cli, "build_app", lambda broker, backend: app)
    return cli.main(argv), app


def sent_tasks(app: FakeApp) -> list[tuple[str, dict[str, Any], float | None]]:
    return [(name, kwargs, options["expires"]) for name, kwargs, options in app.sent]
