"""sagactl without a broker: ``dlq list|show|replay`` and ``reactors
list|unsubscribe|backfill``, against a stand-in for the Celery app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console.cli import dlq
from console.timeline import first_line, format_dead_letter, format_dead_letters
from messaging.reactors import Reactor
from tests.unit.sagactl_stand_in import FakeApp, run_sagactl, words


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], **outcomes: Any) -> tuple[int, FakeApp]:
    """Run sagactl; each task is answered once, with its outcome."""
    return run_sagactl(monkeypatch, argv, **{name: [answer] for name, answer in outcomes.items()})


def _reactor(name: str, *events: str, max_attempts: int = 5) -> Reactor:
    return Reactor(
        name=name,
        events=frozenset(events),
        handler=f"somewhere.{name}:build",
        max_attempts=max_attempts,
    )


@pytest.fixture
def reactors(monkeypatch: pytest.MonkeyPatch) -> dict[str, Reactor]:
    """Two declared reactors instead of the installed ones."""
    declared = {
        "email": _reactor("email", "OrderConfirmed", "OrderCancelled"),
        "crm": _reactor("crm", "OrderConfirmed", max_attempts=3),
    }
    monkeypatch.setattr(dlq, "discover", lambda: declared)
    return declared


def _letter(letter_id: int, reason: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": letter_id,
        "parked_at": "2026-11-22T03:26:24.158000+00:00",
        "task_name": "inventory.handle_message",
        "message_id": "c4d8aa52-0000-4000-8000-000000000001",
        "reason": reason,
        "body": '{"message_id": "c4d8aa52-0000-4000-8000-000000000001", "type": "Nope"}',
        "status": "parked",
        **fields,
    }


def _listing(service: str, *letters: dict[str, Any], parked: int | None = None) -> dict[str, Any]:
    count = len(letters) if parked is None else parked
    return {"service": service, "parked": count, "dead_letters": list(letters)}


# --- dlq list -----------------------------------------------------------------------------

LONG = "x" * 200


def _every_service(**overrides: Any) -> dict[str, Any]:
    outcomes: dict[str, Any] = {
        "orchestrator.dead_letters": _listing("orchestrator"),
        "inventory.dead_letters": _listing(
            "inventory",
            _letter(7, "malformed message: missing field 'sku'\nat items.0"),
            _letter(5, f"unknown message type {LONG}", message_id=None),
        ),
        "payment.dead_letters": _listing("payment"),
        "shipping.dead_letters": _listing("shipping"),
        "reactor.email.dead_letters": _listing(
            "reactor.email",
            _letter(1, "email does not subscribe to Foo", task_name="reactor.email.handle_message"),
        ),
        "reactor.crm.dead_letters": _listing("reactor.crm"),
    }
    return {**outcomes, **overrides}


def test_dlq_list_asks_every_service_and_reports_one_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reactors: dict[str, Reactor],
) -> None:
    outcomes = _every_service(**{"reactor.crm.dead_letters": ResultTimeout("timed out")})
    code, app = _run(monkeypatch, ["dlq", "list", "--limit", "20"], **outcomes)
    out, err = capsys.readouterr()

    assert code == 1
    assert err == "sagactl: no answer within 15s from reactor.crm\n"
    services = [
        "orchestrator",
        "inventory",
        "payment",
        "shipping",
        "reactor.email",
        "reactor.crm",
    ]
    # every service is asked first, then the answers are collected: one wait for all
    assert app.events[: len(services)] == [("send", f"{s}.dead_letters") for s in services]
    assert [(options["queue"], kwargs) for _, kwargs, options in app.sent] == [
        (s, {"limit": 20}) for s in services
    ]

    lines = out.splitlines()
    assert lines[0] == "orchestrator: 0 parked"
    assert lines[1] == "inventory: 2 parked"
    assert words(lines[2]) == "ID PARKED AT (UTC) TASK MESSAGE REASON"
    assert words(lines[3]) == (
        "7 2026-11-22 03:26:24.158 inventory.handle_message c4d8aa52"
        " malformed message: missing field 'sku'"
    )
    reason = lines[4][lines[2].index("REASON") :]
    assert reason == ("unknown message type " + LONG)[:77] + "..."
    assert lines[4].split()[4] == "-"  # no message id
    assert lines[5] == ""
    assert lines[6:9] == ["payment: 0 parked", "shipping: 0 parked", "reactor.email: 1 parked"]
    assert "reactor.email.handle_message" in lines[10]
    assert lines[-1] == "reactor.crm: no answer (worker down?)"


def test_dlq_list_exits_0_when_every_service_answers(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reactors: dict[str, Reactor],
) -> None:
    code, _ = _run(monkeypatch, ["dlq", "list"], **_every_service())
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert out.splitlines()[-1] == "reactor.crm: 0 parked"


def test_dlq_list_reports_a_remote_error_in_place(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reactors: dict[str, Reactor],
) -> None:
    outcomes = _every_service(**{"payment.dead_letters": RuntimeError("database is locked")})
    code, _ = _run(monkeypatch, ["dlq", "list"], **outcomes)
    out, err = capsys.readouterr()
    assert code == 1
    assert "payment: payment.dead_letters failed: database is locked\n" in out
    assert "shipping: 0 parked" in out
    assert err == "sagactl: dead_letters failed on payment\n"


def test_dlq_list_json_keeps_the_answers_and_marks_the_silent_services(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reactors: dict[str, Reactor],
) -> None:
    outcomes = _every_service(**{"reactor.email.dead_letters": ResultTimeout("timed out")})
    code, _ = _run(monkeypatch, ["dlq", "list", "--json"], **outcomes)
    answers = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [a["service"] for a in answers][-2:] == ["reactor.email", "reactor.crm"]
    assert answers[1] == outcomes["inventory.dead_letters"]
    assert answers[-2] == {"service": "reactor.email", "error": "no answer"}


def test_dlq_list_of_chosen_services_by_name_or_by_reactor_name(
    monkeypatch: pytest.MonkeyPatch, reactors: dict[str, Reactor]
) -> None:
    argv = ["dlq", "list", "--service", "email", "--service", "inventory"]
    argv += ["--service", "reactor.email", "--service", "reactor.elsewhere"]
    outcomes = _every_service(**{"reactor.elsewhere.dead_letters": _listing("reactor.elsewhere")})
    code, app = _run(monkeypatch, argv, **outcomes)
    assert code == 0
    # a reactor.NAME is taken as given: it may be installed on its worker's host only
    assert [name for name, _, _ in app.sent] == [
        "reactor.email.dead_letters",
        "inventory.dead_letters",
        "reactor.elsewhere.dead_letters",
    ]


def test_a_broken_reactor_declaration_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> dict[str, Reactor]:
        raise TypeError("entry point crm = crm:REACTOR is not a Reactor")

    monkeypatch.setattr(dlq, "discover", broken)
    code, app = _run(monkeypatch, ["dlq", "list"])
    assert code == 1
    assert capsys.readouterr().err == (
        "sagactl: cannot discover the installed reactors:"
        " entry point crm = crm:REACTOR is not a Reactor\n"
    )
    assert app.sent == []


def test_dead_letter_table_says_when_only_the_newest_are_shown() -> None:
    text = format_dead_letters(_listing("payment", _letter(9, "boom"), parked=250))
    assert text.splitlines()[0] == "payment: 250 parked, newest 1 shown"
    assert first_line("\n\n  first  \nsecond") == "first"
    assert first_line("y" * 81) == "y" * 77 + "..."
    assert first_line("y" * 80) == "y" * 80


# --- dlq show -----------------------------------------------------------------------------


def test_dlq_show_prints_the_whole_reason_and_the_body_as_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = _letter(7, "malformed message:\n  items.0.sku: Field required\n  total: negative")
    listing = _listing("inventory", _letter(8, "other"), letter)
    code, app = _run(
        monkeypatch,
        ["dlq", "show", "7", "--service", "inventory"],
        **{"inventory.dead_letters": listing},
    )
    out = capsys.readouterr().out

    assert code == 0
    assert app.sent[0][1] == {"limit": 1000}
    assert out.splitlines() == [
        "letter   7 of inventory",
        "status   parked",
        "parked   2026-11-22 03:26:24.158 UTC",
        "task     inventory.handle_message",
        "message  c4d8aa52-0000-4000-8000-000000000001",
        "reason",
        "  malformed message:",
        "    items.0.sku: Field required",
        "    total: negative",
        "body",
        "  {",
        '    "message_id": "c4d8aa52-0000-4000-8000-000000000001",',
        '    "type": "Nope"',
        "  }",
    ]


def test_a_body_that_is_not_json_is_shown_as_stored() -> None:
    text = format_dead_letter(_letter(3, "not JSON", body="\x00garbage{"))
    assert text.splitlines()[-2:] == ["body", "  \x00garbage{"]


def test_dlq_show_of_a_letter_that_is_not_parked(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reactors: dict[str, Reactor],
) -> None:
    listing = _listing("reactor.email", _letter(1, "x"))
    code, app = _run(
        monkeypatch,
        ["dlq", "show", "4", "--service", "email"],
        **{"reactor.email.dead_letters": listing},
    )
    assert code == 1
    assert app.sent[0][2]["queue"] == "reactor.email"
    assert capsys.readouterr().err == (
        "sagactl: no parked dead letter 4 in reactor.email (1 parked; only parked letters are"
        " listed, the newest 1000 of them)\n"
    )


# --- dlq replay ---------------------------------------------------------------------------


def test_dlq_replay_of_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"service": "reactor.crm", "replayed": [3, 4], "not_replayable": []}
    code, app = _run(
        monkeypatch,
        ["dlq", "replay", "4", "3", "4", "--service", "reactor.crm"],
        **{"reactor.crm.replay_dead_letters": answer},
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert out == (
        "reactor.crm: replayed 2 letters (3, 4), sent again to reactor.crm.handle_message\n"
    )
    name, kwargs, options = app.sent[0]
    assert (name, kwargs) == ("reactor.crm.replay_dead_letters", {"ids": [3, 4]})
    assert options["queue"] == "reactor.crm"
    assert options["expires"] is None  # a write: it stays queued until a worker takes it


def test_dlq_replay_names_what_was_not_replayable_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"service": "payment", "replayed": [2], "not_replayable": [5, 9]}
    code, _ = _run(
        monkeypatch,
        ["dlq", "replay", "2", "5", "9", "--service", "payment"],
        **{"payment.replay_dead_letters": answer},
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert out == "payment: replayed 1 letter (2), sent again to payment.handle_message\n"
    assert err == (
        "sagactl: not replayable in payment: 5, 9 (no such parked letter: unknown id, already"
        " replayed, or not a message of its inbound task)\n"
    )


def test_dlq_replay_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"service": "shipping", "replayed": [], "not_replayable": []}
    code, app = _run(
        monkeypatch,
        ["dlq", "replay", "--all", "--service", "shipping"],
        **{"shipping.replay_dead_letters": answer},
    )
    assert code == 0
    assert app.sent[0][1] == {"ids": None}
    assert capsys.readouterr().out == "shipping: nothing replayed\n"


# --- reactors list ------------------------------------------------------------------------


def _subscription(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "queue": f"reactor.{name}",
        "events": ["OrderCancelled", "OrderConfirmed"],
        "origin": "announced",
        "owner": name,
        "active": True,
        "start": "latest",
        "position": 40,
        "sent": 12,
        "acknowledged": 12,
        "behind": 0,
        "resent": 0,
        "catching_up": False,
        "last_seen_at": "2026-12-02T05:10:11.123+00:00",
        "created_at": "2026-12-01T09:00:00+00:00",
        "warnings": [],
        **fields,
    }


SUBSCRIPTIONS = [
    _subscription("crm", origin="plugin", events=["OrderConfirmed"], acknowledged=9, behind=3),
    _subscription("loyalty", events=["OrderConfirmd"], sent=0, acknowledged=0,
                  warnings=["no service publishes 'OrderConfirmd'"]),
    _subscription("old", active=False, last_seen_at=None),
]  # fmt: skip


def test_reactors_list_asks_the_dispatcher(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = _run(monkeypatch, ["reactors", "list"], **{"events.subscriptions": SUBSCRIPTIONS})
    assert code == 0
    assert [(name, options["queue"]) for name, _, options in app.sent] == [
        ("events.subscriptions", "events")
    ]
    assert capsys.readouterr().out.splitlines() == [
        "NAME     FROM       EVENTS                          STATE         SENT  HELD  BEHIND"
        "  LAST SEEN",
        "crm      plugin     OrderConfirmed                  active        12    9     3     "
        "  2026-12-02 05:10:11",
        "loyalty  announced  OrderConfirmd                   active        0     0     0     "
        "  2026-12-02 05:10:11",
        "old      announced  OrderCancelled, OrderConfirmed  unsubscribed  12    12    0     "
        "  never",
        "",
        "warning: loyalty: no service publishes 'OrderConfirmd'",
    ]


def test_reactors_list_json_is_what_the_dispatcher_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(
        monkeypatch, ["reactors", "list", "--json"], **{"events.subscriptions": SUBSCRIPTIONS}
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == SUBSCRIPTIONS


def test_no_subscriptions_yet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["reactors", "list"], **{"events.subscriptions": []})[0] == 0
    assert capsys.readouterr().out == (
        "no reactor has subscribed yet (a reactor subscribes when its worker starts)\n"
    )


# --- reactors unsubscribe -----------------------------------------------------------------


def test_unsubscribe_by_queue_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = _run(
        monkeypatch,
        ["reactors", "unsubscribe", "reactor.old"],
        **{"events.unsubscribe": _subscription("old", active=False)},
    )
    assert code == 0
    name, kwargs, options = app.sent[0]
    assert (name, kwargs, options["queue"], options["expires"]) == (
        "events.unsubscribe",
        {"name": "old"},
        "events",
        None,
    )
    assert capsys.readouterr().out.startswith("reactor.old unsubscribed: it gets no more copies.")


# --- reactors backfill --------------------------------------------------------------------


@pytest.mark.parametrize(
    "since", ["2026-11-22", "2026-11-22T03:00:00", "2026-11-22T03:00:00+01:00", "2026-11-22 03:00"]
)
def test_backfill_passes_an_iso_date_as_given(
    since: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"name": "email", "events": 12, "since": since}
    code, app = _run(
        monkeypatch,
        ["reactors", "backfill", "email", "--since", since],
        **{"events.backfill": answer},
    )
    assert code == 0
    name, kwargs, options = app.sent[0]
    assert (name, kwargs, options["queue"]) == (
        "events.backfill",
        {"name": "email", "since": since},
        "events",
    )
    assert options["expires"] is None
    assert capsys.readouterr().out == (
        f"sending 12 past events (logged since {since}) to reactor.email, a page at a time"
        " behind live events; it skips those it already handled\n"
    )


def test_backfill_of_all_history_by_queue_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"name": "crm", "events": 1, "since": None}
    code, app = _run(
        monkeypatch, ["reactors", "backfill", "reactor.crm"], **{"events.backfill": answer}
    )
    assert code == 0
    assert app.sent[0][1] == {"name": "crm", "since": None}
    assert capsys.readouterr().out == (
        "sending 1 past event (ever logged) to reactor.crm, a page at a time behind live"
        " events; it skips those it already handled\n"
    )
