"""sagactl ``dlq replay``: by ids or all, what was not replayable."""

from __future__ import annotations

from typing import Any

from messaging.contracts.read_models import ReplayResult
from tests.unit.sagactl_stand_in import FakeApp, Sagactl, answer


def _replayed(service: str, *replayed: int, refused: list[int] | None = None) -> dict[str, Any]:
    found = {"service": service, "replayed": replayed, "not_replayable": refused or []}
    return answer(ReplayResult, found)


def _replay(sagactl: Sagactl, service: str, given: list[str], replayed: Any) -> tuple[int, FakeApp]:
    """Run ``dlq replay`` with the ``given`` arguments on ``service``, whose
    replay_dead_letters task answers ``replayed``."""
    argv = ["dlq", "replay", *given, "--service", service]
    return sagactl.answered_once(argv, **{f"{service}.replay_dead_letters": replayed})


def test_dlq_replay_of_ids(sagactl: Sagactl) -> None:
    code, app = _replay(sagactl, "reactor.crm", ["4", "3", "4"], _replayed("reactor.crm", 3, 4))
    out, err = sagactl.printed()
    assert code == 0
    assert err == ""
    assert out == (
        "reactor.crm: replayed 2 letters (3, 4), sent again to reactor.crm.handle_message\n"
    )
    name, kwargs, options = app.sent[-1]
    assert (name, kwargs) == ("reactor.crm.replay_dead_letters", {"ids": [3, 4]})
    assert options["queue"] == "reactor.crm"
    assert options["expires"] is None  # a write: it stays queued until a worker takes it


def test_dlq_replay_names_what_was_not_replayable_and_exits_1(sagactl: Sagactl) -> None:
    code, _ = _replay(sagactl, "payment", ["2", "5", "9"], _replayed("payment", 2, refused=[5, 9]))
    out, err = sagactl.printed()
    assert code == 1
    assert out == "payment: replayed 1 letter (2), sent again to payment.handle_message\n"
    assert err == (
        "sagactl: not replayable in payment: 5, 9 (no such parked letter: unknown id, already"
        " replayed, or not a message of its inbound task)\n"
    )


def test_dlq_replay_all(sagactl: Sagactl) -> None:
    code, app = _replay(sagactl, "shipping", ["--all"], _replayed("shipping"))
    assert code == 0
    assert app.sent[-1][1] == {"ids": None}
    assert sagactl.printed().out == "shipping: nothing replayed\n"
