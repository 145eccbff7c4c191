"""Asking several services at once (the trails of a saga's history, the dead letters)
waits one timeout for all of them, not one each: with every service silent, the time
granted adds up to the client's timeout plus a last short look per service."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console.dead_letters import service_letters
from saga_client.platform import SagaPlatform
from saga_client.tasks import LAST_WAIT, CommandError, TaskClient

SERVICES = ["inventory", "payment", "shipping"]


class Clock:
    """time.monotonic for the client: moves on only when a wait runs out."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class SilentResult:
    def __init__(self, granted: list[float], clock: Clock) -> None:
        self.granted = granted
        self.clock = clock

    def get(self, timeout: float) -> Any:
        self.granted.append(timeout)
        self.clock.now += timeout  # it waited all it was granted
        raise ResultTimeout("no answer")


class SilentApp:
    """Every task is sent, none is answered; what each wait was granted is kept."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.granted: list[float] = []
        self.sent: list[str] = []
        self.backend = None
        self.conf = type("Conf", (), {"broker_url": "memory://"})()

    def send_task(self, name: str, **_: Any) -> SilentResult:
        self.sent.append(name)
        return SilentResult(self.granted, self.clock)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> SilentApp:
    clock = Clock()
    monkeypatch.setattr(time, "monotonic", clock.monotonic)  # the client reads this
    return SilentApp(clock)


def test_silent_services_are_waited_for_once_in_all(app: SilentApp) -> None:
    platform = SagaPlatform(TaskClient(app, timeout=10.0))

    trails = platform.order_trails(SERVICES, "ord-1")

    assert [service for service, _ in trails] == SERVICES == [s.split(".")[0] for s in app.sent]
    assert all(isinstance(trail, CommandError) for _, trail in trails)
    assert app.granted[0] <= 10.0
    assert sum(app.granted) <= 10.0 + LAST_WAIT * len(app.granted)


def test_dead_letters_of_silent_services_share_one_deadline(app: SilentApp) -> None:
    platform = SagaPlatform(TaskClient(app, timeout=10.0))

    found = service_letters(platform.dead_letters(SERVICES, limit=5))

    assert [answer.service for answer in found if answer.silent] == SERVICES
    assert sum(app.granted) <= 10.0 + LAST_WAIT * 3
