"""sagactl ``dlq list`` and ``dlq show`` against a stand-in for the Celery app: every
service of the running platform asked at once, one that does not answer, ``services``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console.dead_letters import format_dead_letter, format_dead_letters
from console.text import first_line
from messaging.contracts.read_models import DeadLetters, DeadLetterView
from tests.unit.sagactl_stand_in import (
    PARTICIPANTS,
    PLATFORM_SERVICES,
    FakeApp,
    Sagactl,
    dead_letter,
    dead_letters,
    words,
)

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


def test_dlq_list_asks_every_service_and_reports_one_that_does_not_answer(sagactl: Sagactl) -> None:
    outcomes = _every_service(**{"reactor.email.dead_letters": ResultTimeout("timed out")})
    code, app = sagactl.answered_once(["dlq", "list", "--limit", "20"], **outcomes)
    out, err = sagactl.printed()

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


def test_dlq_list_exits_0_when_every_service_answers(sagactl: Sagactl) -> None:
    code, _ = sagactl.answered_once(["dlq", "list"], **_every_service())
    out, err = sagactl.printed()
    assert code == 0
    assert err == ""
    assert out.splitlines()[-1] == "reactor.email: 0 parked"


def test_dlq_list_reports_a_remote_error_in_place(sagactl: Sagactl) -> None:
    outcomes = _every_service(**{"payment.dead_letters": RuntimeError("database is locked")})
    code, _ = sagactl.answered_once(["dlq", "list"], **outcomes)
    out, err = sagactl.printed()
    assert code == 1
    assert "payment: payment.dead_letters failed: database is locked\n" in out
    assert "shipping: 0 parked" in out
    assert err == "sagactl: dead_letters failed on payment\n"


def test_dlq_list_json_keeps_the_answers_and_marks_the_silent_services(sagactl: Sagactl) -> None:
    outcomes = _every_service(**{"reactor.email.dead_letters": ResultTimeout("timed out")})
    code, _ = sagactl.answered_once(["dlq", "list", "--json"], **outcomes)
    answers = json.loads(sagactl.printed().out)
    assert code == 1
    assert [a["service"] for a in answers][-2:] == ["reactor.crm", "reactor.email"]
    assert answers[1] == outcomes["inventory.dead_letters"]
    assert answers[-1] == {"service": "reactor.email", "error": "no answer"}


def test_dlq_list_of_chosen_services_by_name_or_by_reactor_name(
    sagactl: Sagactl,
) -> None:
    argv = ["dlq", "list", "--service", "email", "--service", "inventory"]
    argv += ["--service", "reactor.email", "--service", "crm"]
    code, app = sagactl.answered_once(argv, **_every_service())
    assert code == 0
    assert _dead_letters_sent(app) == [
        ("reactor.email", {"limit": 100}),
        ("inventory", {"limit": 100}),
        ("reactor.crm", {"limit": 100}),
    ]


def test_a_service_the_platform_does_not_have_is_a_usage_error(sagactl: Sagactl) -> None:
    with pytest.raises(SystemExit) as exited:
        sagactl.answered_once(["dlq", "list", "--service", "billing"])

    assert exited.value.code == 2
    assert sagactl.printed().err.endswith(
        "unknown service 'billing': give one of orchestrator, inventory, payment, shipping,"
        " reactor.crm, reactor.email\n"
    )


def test_services_lists_what_the_running_platform_says(sagactl: Sagactl) -> None:
    unsubscribed = {"name": "old", "active": False}
    subscribed = [*PLATFORM_SERVICES["events.subscriptions"], unsubscribed]
    code, _ = sagactl.answered_once(["services"], **{"events.subscriptions": subscribed})

    assert code == 0
    assert sagactl.printed().out.splitlines() == [
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


def test_dlq_show_prints_the_whole_reason_and_the_body_as_json(sagactl: Sagactl) -> None:
    letter = dead_letter(7, "malformed message:\n  items.0.sku: Field required\n  total: negative")
    listing = dead_letters("inventory", dead_letter(8, "other"), letter)
    code, app = sagactl.answered_once(
        ["dlq", "show", "7", "--service", "inventory"],
        **{"inventory.dead_letters": listing},
    )
    out = sagactl.printed().out

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
    sagactl: Sagactl,
) -> None:
    listing = dead_letters("reactor.email", dead_letter(1, "x"))
    code, app = sagactl.answered_once(
        ["dlq", "show", "4", "--service", "email"],
        **{"reactor.email.dead_letters": listing},
    )
    assert code == 1
    assert app.sent[-1][2]["queue"] == "reactor.email"
    assert sagactl.printed().err == (
        "sagactl: no parked dead letter 4 in reactor.email (1 parked; only parked letters are"
        " listed, the newest 1000 of them)\n"
    )
