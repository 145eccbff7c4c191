"""sagactl without a broker: ``dlq list|show|replay`` and ``reactors
list|unsubscribe|backfill``, against a stand-in for the Celery app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console.dead_letters import format_dead_letter, format_dead_letters
from console.text import first_line
from messaging.contracts.read_models import DeadLetters, DeadLetterView, ReplayResult
from tests.unit.sagactl_stand_in import (
    PARTICIPANTS,
    FakeApp,
    answer,
    dead_letter,
    dead_letters,
    run_sagactl,
    services,
    words,
)

# The platform's answers naming its services: three participants, two reactors.
SERVICES = {name: answers[0] for name, answers in services("email", "crm").items()}


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], **outcomes: Any) -> tuple[int, FakeApp]:
    """Run sagactl; each task is answered once, with its outcome; the platform's services
    are asked for, and answered, first."""
    answers = {**SERVICES, **outcomes}
    return run_sagactl(monkeypatch, argv, **{name: [answer] for name, answer in answers.items()})


# --- dlq list -----------------------------------------------------------------------------

LONG = "x" * 200


def _every_service(**overrides: Any) -> dict[str, Any]:
    outcomes: dict[str, Any] = {
        "orchestrator.dead_letters": dead_letters("orchestrator"),
        "inventory.dead_letters": dead_letters(
            "inventory",
            dead_letter(7, "malformed message: missing field 'sku'\nat items.0"),
            dead_letter(5, f"unknown message type {LONG}", message_id=None),
        ),
        "payment.dead_letters": dead_letters("payment"),
        "shipping.dead_letters": dead_letters("shipping"),
        "reactor.crm.dead_letters": dead_letters(
            "reactor.crm",
            dead_letter(1, "crm does not subscribe to Foo", task_name="reactor.crm.handle_message"),
        ),
        "reactor.email.dead_letters": dead_letters("reactor.email"),
    }
    return {**outcomes, **overrides}


def _dead_letters_sent(app: FakeApp) -> list[tuple[str, Any]]:
    return [(o["queue"], kwargs) for name, kwargs, o in app.sent if name.endswith(".dead_letters")]


def test_dlq_list_asks_every_service_and_reports_one_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = _every_service(**{"reactor.email.dead_letters": ResultTimeout("timed out")})
    code, app = _run(monkeypatch, ["dlq", "list", "--limit", "20"], **outcomes)
    out, err = capsys.readouterr()

    assert code == 1
    assert err == "sagactl: no answer within 15s from reactor.email\n"
    # the services the running platform has: its definitions' participants, its reactors
    assert [name for name, _, _ in app.sent[:2]] == [
        "orchestrator.list_definitions",
        "events.subscriptions",
    ]
    every = ["orchestrator", *PARTICIPANTS, "reactor.crm", "reactor.email"]
    assert _dead_letters_sent(app) == [(s, {"limit": 20}) for s in every]
    # every service is asked first, then the answers are collected: one wait for all
    asked = [event for event in app.events if event[1].endswith(".dead_letters")]
    assert asked[: len(every)] == [("send", f"{s}.dead_letters") for s in every]

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
    assert lines[6:9] == ["payment: 0 parked", "shipping: 0 parked", "reactor.crm: 1 parked"]
    assert "reactor.crm.handle_message" in lines[10]
    assert lines[-1] == "reactor.email: no answer (worker down?)"


def test_dlq_list_exits_0_when_every_service_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(monkeypatch, ["dlq", "list"], **_every_service())
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert out.splitlines()[-1] == "reactor.email: 0 parked"


def test_dlq_list_reports_a_remote_error_in_place(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = _every_service(**{"payment.dead_letters": RuntimeError("database is locked")})
    code, _ = _run(monkeypatch, ["dlq", "list"], **outcomes)
    out, err = capsys.readouterr()
    assert code == 1
    assert "payment: payment.dead_letters failed: database is locked\n" in out
    assert "shipping: 0 parked" in out
    assert err == "sagactl: dead_letters failed on payment\n"


def test_dlq_list_json_keeps_the_answers_and_marks_the_silent_services(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = _every_service(**{"reactor.email.dead_letters": ResultTimeout("timed out")})
    code, _ = _run(monkeypatch, ["dlq", "list", "--json"], **outcomes)
    answers = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [a["service"] for a in answers][-2:] == ["reactor.crm", "reactor.email"]
    assert answers[1] == outcomes["inventory.dead_letters"]
    assert answers[-1] == {"service": "reactor.email", "error": "no answer"}


def test_dlq_list_of_chosen_services_by_name_or_by_reactor_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["dlq", "list", "--service", "email", "--service", "inventory"]
    argv += ["--service", "reactor.email", "--service", "crm"]
    code, app = _run(monkeypatch, argv, **_every_service())
    assert code == 0
    assert _dead_letters_sent(app) == [
        ("reactor.email", {"limit": 100}),
        ("inventory", {"limit": 100}),
        ("reactor.crm", {"limit": 100}),
    ]


def test_a_service_the_platform_does_not_have_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _run(monkeypatch, ["dlq", "list", "--service", "billing"])

    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(
        "unknown service 'billing': give one of orchestrator, inventory, payment, shipping,"
        " reactor.crm, reactor.email\n"
    )


def test_services_lists_what_the_running_platform_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unsubscribed = {"name": "old", "active": False}
    subscribed = [*SERVICES["events.subscriptions"], unsubscribed]
    code, _ = _run(monkeypatch, ["services"], **{"events.subscriptions": subscribed})

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "orchestrator",
        *PARTICIPANTS,
        "reactor.crm",  # an unsubscribed reactor (old) is not one of them
        "reactor.email",
    ]


def test_dead_letter_table_says_when_only_the_newest_are_shown() -> None:
    listing = dead_letters("payment", dead_letter(9, "boom"), parked=250)
    text = format_dead_letters(DeadLetters.model_validate(listing))
    assert text.splitlines()[0] == "payment: 250 parked, newest 1 shown"
    assert first_line("\n\n  first  \nsecond") == "first"
    assert first_line("y" * 81) == "y" * 77 + "..."
    assert first_line("y" * 80) == "y" * 80


# --- dlq show -----------------------------------------------------------------------------


def test_dlq_show_prints_the_whole_reason_and_the_body_as_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = dead_letter(7, "malformed message:\n  items.0.sku: Field required\n  total: negative")
    listing = dead_letters("inventory", dead_letter(8, "other"), letter)
    code, app = _run(
        monkeypatch,
        ["dlq", "show", "7", "--service", "inventory"],
        **{"inventory.dead_letters": listing},
    )
    out = capsys.readouterr().out

    assert code == 0
    assert app.sent[-1][:2] == ("inventory.dead_letters", {"limit": 1000})
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
    text = format_dead_letter(
        DeadLetterView.model_validate(dead_letter(3, "not JSON", body="\x00garbage{"))
    )
    assert text.splitlines()[-2:] == ["body", "  \x00garbage{"]


def test_dlq_show_of_a_letter_that_is_not_parked(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing = dead_letters("reactor.email", dead_letter(1, "x"))
    code, app = _run(
        monkeypatch,
        ["dlq", "show", "4", "--service", "email"],
        **{"reactor.email.dead_letters": listing},
    )
    assert code == 1
    assert app.sent[-1][2]["queue"] == "reactor.email"
    assert capsys.readouterr().err == (
        "sagactl: no parked dead letter 4 in reactor.email (1 parked; only parked letters are"
        " listed, the newest 1000 of them)\n"
    )


# --- dlq replay ---------------------------------------------------------------------------


def _replayed(service: str, *replayed: int, refused: list[int] | None = None) -> dict[str, Any]:
    found = {"service": service, "replayed": replayed, "not_replayable": refused or []}
    return answer(ReplayResult, found)


def test_dlq_replay_of_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = _replayed("reactor.crm", 3, 4)
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
    name, kwargs, options = app.sent[-1]
    assert (name, kwargs) == ("reactor.crm.replay_dead_letters", {"ids": [3, 4]})
    assert options["queue"] == "reactor.crm"
    assert options["expires"] is None  # a write: it stays queued until a worker takes it


def test_dlq_replay_names_what_was_not_replayable_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = _replayed("payment", 2, refused=[5, 9])
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
    answer = _replayed("shipping")
    code, app = _run(
        monkeypatch,
        ["dlq", "replay", "--all", "--service", "shipping"],
        **{"shipping.replay_dead_letters": answer},
    )
    assert code == 0
    assert app.sent[-1][1] == {"ids": None}
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
