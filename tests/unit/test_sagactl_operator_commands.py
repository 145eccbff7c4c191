"""sagactl without a broker: ``retry``, ``cancel`` and ``stuck`` against a stand-in for the
Celery app, what every write on a saga shares (``retry``, ``cancel``, ``approve``,
``reject``: finding the saga, refusals, no answer), and how the timeline and the status
show deadlines, resends, compensation retries, timeouts, operator retries and cancels."""

from __future__ import annotations

import json
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console.tables import format_stuck_table
from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry, SagaView, StuckSaga
from tests.unit.sagactl_stand_in import (
    MESSAGE_ID,
    OTHER_SAGA_ID,
    SAGA_ID,
    FakeApp,
    acted,
    entry,
    run_sagactl,
    saga_view,
    sent_tasks,
    stuck_saga,
    words,
)


def _saga(state: str, **fields: Any) -> dict[str, Any]:
    """A get_saga answer: at charge_payment, first attempt."""
    return saga_view(state=state, **{"current_step": "charge_payment", "attempt": 1, **fields})


def _view(state: str, **fields: Any) -> SagaView:
    return SagaView.model_validate(_saga(state, **fields))


# --- retry --------------------------------------------------------------------------------


def test_retry_resolves_a_key_then_retries_the_saga_and_prints_the_new_state(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch,
        ["retry", "ord-1"],
        **{
            "orchestrator.get_saga": [_saga("failed")],
            "orchestrator.retry_saga": [acted("compensating")],
        },
    )
    out, err = capsys.readouterr()

    assert code == 0
    assert err == ""
    # the read expires when sagactl stops waiting; the write stays queued until a worker runs it
    assert sent_tasks(app) == [
        ("orchestrator.get_saga", {"key": "ord-1"}, 15.0),
        ("orchestrator.retry_saga", {"saga_id": SAGA_ID}, None),
    ]
    assert [options["queue"] for _, _, options in app.sent] == ["orchestrator", "orchestrator"]
    assert out.splitlines() == [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        "state  compensating (was failed)",
        "step   charge_payment",
    ]


# --- what every write on a saga shares: retry, cancel, approve, reject -----------------------

WRITES = {  # command: its other arguments, its task, what that task gets besides saga_id
    "retry": ([], "orchestrator.retry_saga", {}),
    "cancel": ([], "orchestrator.cancel_saga", {}),
    "approve": (["--by", "alice"], "orchestrator.approve_saga", {"by": "alice"}),
    "reject": (["--reason", "fraud"], "orchestrator.reject_saga", {"reason": "fraud"}),
}
# how an ID given is looked up: given, get_saga's answers, what it was asked
Finding = tuple[list[str], list[Any], list[dict[str, str]]]
UUID_KEY = _saga("failed", saga_id=OTHER_SAGA_ID, business_key=SAGA_ID)
OF_RETURNS = _saga("failed", definition="returns", business_key="ret-1", parent_key="ord-1")
FINDING: dict[str, Finding] = {
    "key": (["ord-1"], [_saga("failed")], [{"key": "ord-1"}]),
    "saga-id": ([SAGA_ID], [_saga("failed")], [{"saga_id": SAGA_ID}]),
    "uuid-that-is-a-key": (
        [SAGA_ID],  # no saga has this id: it is a key
        [LookupError(f"no saga with saga_id {SAGA_ID}"), UUID_KEY],
        [{"saga_id": SAGA_ID}, {"key": SAGA_ID}],
    ),
    "key-of-a-definition": (
        ["ret-1", "--definition", "returns"],
        [OF_RETURNS],
        [{"definition": "returns", "key": "ret-1"}],
    ),
}


def _write(
    monkeypatch: pytest.MonkeyPatch, command: str, given: list[str], **outcomes: Any
) -> tuple[int, FakeApp]:
    """Run a write on the saga ``given`` names, with the write's own arguments."""
    return run_sagactl(monkeypatch, [command, *given, *WRITES[command][0]], **outcomes)


@pytest.mark.parametrize("command", WRITES)
@pytest.mark.parametrize("finding", FINDING)
def test_a_write_finds_the_saga_then_acts_on_the_one_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, finding: str
) -> None:
    _, task, kwargs = WRITES[command]
    given, answers, asked = FINDING[finding]
    found = answers[-1]
    code, app = _write(
        monkeypatch,
        command,
        given,
        **{"orchestrator.get_saga": answers, task: [acted("running", saga_id=found["saga_id"])]},
    )

    assert code == 0
    # reads expire when sagactl stops waiting; the write stays queued until a worker runs it
    assert sent_tasks(app) == [
        *(("orchestrator.get_saga", question, 15.0) for question in asked),
        (task, {"saga_id": found["saga_id"], **kwargs}, None),
    ]
    out = capsys.readouterr().out
    assert f"key    {found['definition']} {found['business_key']}\n" in out
    assert "state  running (was failed)\nstep   charge_payment\n" in out


@pytest.mark.parametrize("command", WRITES)
@pytest.mark.parametrize(
    "error",
    [
        ValueError("only a failed saga can be retried; this one is completed"),
        LookupError(f"no saga with saga_id {SAGA_ID}"),
    ],
    ids=["refused", "gone"],
)
def test_a_write_the_orchestrator_refuses_exits_1_with_its_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    error: Exception,
) -> None:
    task = WRITES[command][1]
    code, _ = _write(
        monkeypatch,
        command,
        ["ord-1"],
        **{"orchestrator.get_saga": [_saga("completed")], task: [error]},
    )

    assert code == 1
    assert capsys.readouterr() == ("", f"sagactl: {task} failed: {error}\n")


@pytest.mark.parametrize("command", WRITES)
def test_a_write_on_an_unknown_saga_exits_1_without_being_sent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    unknown = LookupError("no saga with key ord-404")
    code, app = _write(monkeypatch, command, ["ord-404"], **{"orchestrator.get_saga": [unknown]})

    assert code == 1
    assert capsys.readouterr().err == "sagactl: no saga with saga id or key ord-404\n"
    assert [name for name, _, _ in app.sent] == ["orchestrator.get_saga"]


@pytest.mark.parametrize("command", WRITES)
def test_a_write_nobody_answers_says_it_stays_queued(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    task = WRITES[command][1]
    silent = ResultTimeout("The operation timed out.")
    code, _ = _write(
        monkeypatch,
        command,
        ["ord-1"],
        **{"orchestrator.get_saga": [_saga("failed")], task: [silent]},
    )

    assert code == 1
    assert capsys.readouterr().err == (
        f"sagactl: no answer from {task} within 15s: the orchestrator worker may not be"
        " running. The request stays queued and runs when a worker takes it.\n"
    )


# --- cancel -------------------------------------------------------------------------------


def test_cancel_with_a_command_in_flight_says_the_saga_compensates_once_it_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = _write(
        monkeypatch,
        "cancel",
        ["ord-1", "--reason", "customer  called\nto cancel"],
        **{
            "orchestrator.get_saga": [_saga("running")],
            "orchestrator.cancel_saga": [acted("running")],
        },
    )

    assert code == 0
    assert sent_tasks(app) == [
        ("orchestrator.get_saga", {"key": "ord-1"}, 15.0),
        (
            "orchestrator.cancel_saga",
            {"saga_id": SAGA_ID, "reason": "customer called to cancel"},
            None,
        ),
    ]
    assert capsys.readouterr().out.splitlines() == [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        "state  running",
        "step   charge_payment",
        "reason customer called to cancel",
        "cancel requested: the saga compensates once the command in flight answers",
    ]


def test_cancel_without_a_reason_leaves_the_default_to_the_orchestrator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = _write(
        monkeypatch,
        "cancel",
        [SAGA_ID],
        **{
            "orchestrator.get_saga": [_saga("running")],
            "orchestrator.cancel_saga": [acted("compensating", "reserve_inventory")],
        },
    )
    out = capsys.readouterr().out

    assert code == 0
    assert app.sent[-1][:2] == ("orchestrator.cancel_saga", {"saga_id": SAGA_ID})
    assert out.splitlines() == [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        "state  compensating (was running)",
        "step   reserve_inventory",
    ]
    assert "cancel requested" not in out


# --- stuck --------------------------------------------------------------------------------


def _stuck(**fields: Any) -> dict[str, Any]:
    """A stuck_sagas row: at charge_payment, third attempt, past its deadline."""
    at = {
        "created_at": "2026-11-22T03:26:20.000000+00:00",
        "since": "2026-11-22T03:26:54.158000+00:00",
    }
    return stuck_saga(
        **{
            "current_step": "charge_payment",
            "attempt": 3,
            "deadline": "2026-11-22T03:27:24.158000+00:00",
            "updated_at": at["since"],
            **at,
            **fields,
        }
    )


STUCK = [
    _stuck(),
    _stuck(
        saga_id=OTHER_SAGA_ID,
        definition="returns",
        business_key="ret-22",
        parent_key="ord-1",
        state="compensating",
        current_step="reserve_inventory",
        attempt=12,
        deadline="2026-11-22T03:28:00",
        updated_at="2026-11-22T03:20:00",
        since="2026-11-22T03:20:00",
        waiting_on=None,  # a failed compensation's retry is due
    ),
]


def test_stuck_lists_what_each_saga_waits_on_since_when_and_at_which_attempt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch,
        ["--timeout", "5", "stuck", "--limit", "2"],
        **{"orchestrator.stuck_sagas": [STUCK]},
    )
    lines = capsys.readouterr().out.splitlines()

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.stuck_sagas", {"limit": 2}, 5.0)]
    assert words(lines[0]) == (
        "SAGA ID DEFINITION KEY STATE STEP ATTEMPT WAITING SINCE (UTC) DEADLINE (UTC) WAITING ON"
    )
    assert words(lines[1]) == (
        f"{SAGA_ID} checkout ord-1 running charge_payment 3"
        " 2026-11-22 03:26:54.158 2026-11-22 03:27:24.158 c4d8aa52"
    )
    assert words(lines[2]) == (
        f"{OTHER_SAGA_ID} returns ret-22 compensating reserve_inventory 12"
        " 2026-11-22 03:20:00.000 2026-11-22 03:28:00.000 -"
    )
    # columns line up; attempts are right-aligned
    assert lines[1].index("running") == lines[2].index("compensating")
    assert lines[1].index("3 ") + 1 == lines[2].index("12 ") + 2


def test_stuck_says_so_when_there_are_none_and_defaults_to_100(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(monkeypatch, ["stuck"], **{"orchestrator.stuck_sagas": [[]]})

    assert code == 0
    assert capsys.readouterr().out == "no stuck sagas\n"
    assert app.sent[0][1] == {"limit": 100}


def test_stuck_json_prints_the_raw_result(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_sagactl(monkeypatch, ["stuck", "--json"], **{"orchestrator.stuck_sagas": [STUCK]})

    assert code == 0
    assert json.loads(capsys.readouterr().out) == STUCK


def test_a_stuck_parallel_group_shows_every_message_it_waits_on() -> None:
    row = _stuck(waiting_on=f"{MESSAGE_ID}, 5789e305-222b-4230-b860-c3c790d67861")
    table = format_stuck_table([StuckSaga.model_validate(row)])
    assert table.splitlines()[1].endswith("c4d8aa52, 5789e305")


# --- the timeline and the status ----------------------------------------------------------


REFUSED = "processor_error: the card network refused the refund"
NO_REPLY = "no reply from payment to charge_payment after 3 attempts"


@pytest.mark.parametrize(
    ("kind", "step", "fields", "detail"),
    [
        ("command_sent", "charge_payment", {"message_id": MESSAGE_ID}, "message c4d8aa52"),
        ("compensation_sent", "charge_payment",
         {"message_id": MESSAGE_ID, "detail": {"attempt": "2"}}, "message c4d8aa52, attempt 2"),
        ("command_resent", "charge_payment",
         {"message_id": MESSAGE_ID, "message_type": "ChargePayment",
          "detail": {"attempt": 2, "reason": "no reply after 5s"}},
         "message c4d8aa52, attempt 2 (no reply after 5s)"),
        ("compensation_retry_scheduled", "charge_payment",
         {"detail": {"attempt": 1, "in_seconds": 2.5, "reason": REFUSED}},
         f"attempt 1 failed: {REFUSED}; retry in 2.5s"),
        ("timed_out", "charge_payment", {"detail": {"reason": NO_REPLY}}, NO_REPLY),
        ("retried_by_operator", "charge_payment", {}, "resumed at charge_payment by an operator"),
        ("cancel_requested", None, {"detail": {"reason": "customer called"}},
         "reason: customer called"),
        ("cancel_too_late", "create_shipment",
         {"detail": {"reason": "create_shipment cannot be undone"}},
         "cancel dropped, the saga goes on: create_shipment cannot be undone"),
    ],
)  # fmt: skip
def test_each_kind_of_history_entry_has_its_detail(
    kind: str, step: str | None, fields: dict[str, Any], detail: str
) -> None:
    assert entry_detail(HistoryEntry.model_validate(entry(kind, step, **fields))) == detail


def test_timeline_of_a_timed_out_then_retried_saga() -> None:
    history = [
        entry("started", at="2026-11-22T03:26:24.158000"),
        entry(
            "command_sent",
            "charge_payment",
            at="2026-11-22T03:26:24.160000",
            message_id=MESSAGE_ID,
            message_type="ChargePayment",
        ),
        entry(
            "command_resent",
            "charge_payment",
            at="2026-11-22T03:26:29.160000",
            message_id=MESSAGE_ID,
            message_type="ChargePayment",
            detail={"attempt": 2, "reason": "no reply after 5s"},
        ),
        entry(
            "failed",
            "charge_payment",
            at="2026-11-22T03:26:39.160000",
            detail={"error": "no reply from payment to charge_payment after 2 attempts"},
        ),
        entry("retried_by_operator", "charge_payment", at="2026-11-22T04:00:00.000000"),
        entry(
            "command_sent",
            "charge_payment",
            at="2026-11-22T04:00:00.000000",
            message_id=MESSAGE_ID,
            message_type="ChargePayment",
        ),
    ]
    lines = format_timeline(_view("running", history=history)).splitlines()

    assert words(lines[3]) == (
        "03:26:29.160 +5002ms command_resent charge_payment ChargePayment"
        " message c4d8aa52, attempt 2 (no reply after 5s)"
    )
    assert words(lines[5]).endswith(
        "retried_by_operator charge_payment - resumed at charge_payment by an operator"
    )
    assert lines[-1] == "state now: running, at step charge_payment"


def test_a_running_saga_with_a_cancel_pending_says_so() -> None:
    saga = _view(
        "running",
        history=[entry("cancel_requested", detail={"reason": "customer called"})],
        cancel_reason="customer called",
        awaiting_message_id=MESSAGE_ID,
        attempt=2,
        deadline="2026-11-22T03:27:00+00:00",
    )

    assert format_timeline(saga).splitlines()[-1] == (
        "state now: running, at step charge_payment (cancel requested: customer called)"
    )
    status = format_status(saga)
    assert "cancel    requested: customer called\n" in status
    assert f"awaiting  {MESSAGE_ID}\n" in status
    assert "deadline  2026-11-22 03:27:00.000 UTC (attempt 2)\n" in status


def test_status_of_a_compensation_retry_that_is_due() -> None:
    saga = _view(
        "compensating",
        attempt=1,
        deadline="2026-11-22T03:27:00",
        cancel_reason="customer called",  # once compensating, the failure says it
    )
    status = format_status(saga)

    assert "awaiting  -\n" in status
    assert "deadline  2026-11-22 03:27:00.000 UTC (compensation retry due, after attempt 1)\n" in (
        status
    )
    assert "cancel" not in status


def test_a_saga_without_a_deadline_shows_none() -> None:
    assert "deadline" not in format_status(_view("completed", current_step=None, attempt=0))
