"""sagactl without a broker: the manual review of orders (``review``, ``approve``,
``reject``, ``list --state awaiting_approval``) against a stand-in for the Celery app, and
how the timeline and the status show a review and a charge whose outcome is unknown. What
approve and reject share with retry and cancel is in test_sagactl_operator_commands.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console import cli
from console.cli.participants import format_payments
from console.tables import format_review_table
from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry, SagaView
from tests.unit.sagactl_stand_in import (
    OTHER_SAGA_ID,
    SAGA_ID,
    acted,
    entry,
    run_sagactl,
    saga_summary,
    saga_view,
    sent_tasks,
    words,
)

THIRD_SAGA_ID = "5b0c1f7e-2a43-4d59-9c07-3d0b1e9f6a11"
DEADLINE = "2026-11-23T03:26:24.300000+00:00"


def _order(*items: tuple[int, int], currency: str = "EUR") -> dict[str, Any]:
    return {
        "order_id": "ord-1",
        "currency": currency,
        "items": [
            {"sku": f"SKU-{i}", "quantity": quantity, "unit_price_cents": price}
            for i, (quantity, price) in enumerate(items, 1)
        ],
    }


def _saga(state: str, **fields: Any) -> SagaView:
    """A saga of 1,500.00 EUR at charge_payment, above the review threshold."""
    data = {"order": _order((1, 150000)), "review_threshold_cents": 100000}
    summary = {"customer": "cus-1", "total": "1,500.00 EUR"}
    found = {"current_step": "charge_payment", "data": data, "summary": summary, "version": 3}
    return SagaView.model_validate(saga_view(state=state, **{**found, **fields}))


def _waiting(**fields: Any) -> SagaView:
    return _saga("awaiting_approval", deadline=DEADLINE, **fields)


def _answer(saga: SagaView) -> dict[str, Any]:
    """``saga`` as get_saga answers it."""
    return saga.model_dump(mode="json")


# --- approve ------------------------------------------------------------------------------


def test_approve_resolves_a_key_then_approves_by_the_name_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch,
        ["approve", "ord-1", "--by", "  alice   smith "],
        **{
            "orchestrator.get_saga": [_answer(_waiting())],
            "orchestrator.approve_saga": [acted("running")],
        },
    )
    out, err = capsys.readouterr()

    assert code == 0
    assert err == ""
    # the read expires when sagactl stops waiting; the decision stays queued until a worker runs it
    assert sent_tasks(app) == [
        ("orchestrator.get_saga", {"key": "ord-1"}, 15.0),
        ("orchestrator.approve_saga", {"saga_id": SAGA_ID, "by": "alice smith"}, None),
    ]
    assert [options["queue"] for _, _, options in app.sent] == ["orchestrator", "orchestrator"]
    assert out.splitlines() == [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        "state  running (was awaiting_approval)",
        "step   charge_payment",
        "by     alice smith",
    ]


@pytest.mark.parametrize(
    ("user", "by"),
    [("bob", "bob"), (None, "an operator"), ("  ", "an operator")],
    ids=["user", "no-user", "blank-user"],
)
def test_approve_is_by_the_user_by_default_else_by_an_operator(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: str | None,
    by: str,
) -> None:
    if user is None:
        monkeypatch.delenv("USER", raising=False)
    else:
        monkeypatch.setenv("USER", user)
    code, app = run_sagactl(
        monkeypatch,
        ["approve", SAGA_ID],
        **{
            "orchestrator.get_saga": [_answer(_waiting())],
            "orchestrator.approve_saga": [acted("running")],
        },
    )

    assert code == 0
    assert app.sent[-1][:2] == ("orchestrator.approve_saga", {"saga_id": SAGA_ID, "by": by})
    assert capsys.readouterr().out.endswith(f"\nby     {by}\n")


# --- reject -------------------------------------------------------------------------------


def test_reject_sends_the_reason_on_one_line_and_prints_the_new_state(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch,
        ["reject", "ord-1", "--reason", " card  holder\nunknown "],
        **{
            "orchestrator.get_saga": [_answer(_waiting())],
            "orchestrator.reject_saga": [acted("compensating", "reserve_inventory")],
        },
    )
    out, err = capsys.readouterr()

    assert code == 0
    assert err == ""
    assert sent_tasks(app) == [
        ("orchestrator.get_saga", {"key": "ord-1"}, 15.0),
        (
            "orchestrator.reject_saga",
            {"saga_id": SAGA_ID, "reason": "card holder unknown"},
            None,
        ),
    ]
    assert out.splitlines() == [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        "state  compensating (was awaiting_approval)",
        "step   reserve_inventory",
        "reason card holder unknown",
    ]


# --- list --state awaiting_approval, and review ----------------------------------------------


def _summary(saga_id: str, key: str, updated_at: str, deadline: str | None) -> dict[str, Any]:
    """A list_sagas row of a saga awaiting approval."""
    return saga_summary(
        saga_id=saga_id,
        business_key=key,
        summary={"total": "6,000.00 EUR"},
        state="awaiting_approval",
        current_step="charge_payment",
        deadline=deadline,
        created_at=updated_at,
        updated_at=updated_at,
    )


# newest first, as list_sagas answers
AWAITING = [
    _summary(SAGA_ID, "ord-3", "2026-11-22T09:00:00.000000", "2026-11-23T09:00:00+00:00"),
    _summary(OTHER_SAGA_ID, "ord-2", "2026-11-22T08:00:00.000000", None),
    _summary(THIRD_SAGA_ID, "ord-1", "2026-11-22T07:00:00.000000", "2026-11-23T07:00:00"),
]


@pytest.mark.parametrize(
    ("options", "asked"),
    [
        (["--state", "awaiting_approval"], {"state": "awaiting_approval", "limit": 100}),
        (["--definition", "checkout", "--limit", "5"], {"definition": "checkout", "limit": 5}),
    ],
)
def test_list_filters_on_a_state_or_a_definition(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    asked: dict[str, Any],
) -> None:
    code, app = run_sagactl(
        monkeypatch, ["list", *options], **{"orchestrator.list_sagas": [AWAITING[:1]]}
    )

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.list_sagas", asked, 15.0)]
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["SAGA", "ID", "DEFINITION", "KEY"]
    assert row.split()[:4] == [SAGA_ID, "checkout", "ord-3", "awaiting_approval"]
    assert row.endswith("total 6,000.00 EUR")


def test_list_help_names_every_state(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["list", "--help"])
    assert "awaiting_approval" in capsys.readouterr().out


def test_review_lists_the_sagas_awaiting_approval_soonest_deadline_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(monkeypatch, ["review"], **{"orchestrator.list_sagas": [AWAITING]})

    assert code == 0
    # the whole queue (list_sagas' cap), sorted here: the newest are not the most urgent
    assert sent_tasks(app) == [
        ("orchestrator.list_sagas", {"state": "awaiting_approval", "limit": 1000}, 15.0)
    ]
    assert capsys.readouterr().out.splitlines() == [
        "SAGA ID                               DEFINITION  KEY    WAITING SINCE (UTC)"
        "      DEADLINE (UTC)           SUMMARY",
        f"{THIRD_SAGA_ID}  checkout    ord-1  2026-11-22 07:00:00.000"
        "  2026-11-23 07:00:00.000  total 6,000.00 EUR",
        f"{SAGA_ID}  checkout    ord-3  2026-11-22 09:00:00.000"
        "  2026-11-23 09:00:00.000  total 6,000.00 EUR",
        f"{OTHER_SAGA_ID}  checkout    ord-2  2026-11-22 08:00:00.000"
        "  -                        total 6,000.00 EUR",
    ]


def test_review_with_a_limit_says_how_many_more_wait(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_sagactl(
        monkeypatch, ["review", "--limit", "1"], **{"orchestrator.list_sagas": [AWAITING]}
    )
    lines = capsys.readouterr().out.splitlines()

    assert code == 0
    assert [line.split()[2] for line in lines[1:-1]] == ["ord-1"]
    assert lines[-1] == "2 more awaiting approval, with later deadlines (--limit 3 shows them)"


def test_review_json_prints_the_queue_as_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_sagactl(
        monkeypatch, ["review", "--json", "--limit", "2"], **{"orchestrator.list_sagas": [AWAITING]}
    )

    assert code == 0
    assert json.loads(capsys.readouterr().out) == [AWAITING[2], AWAITING[0]]


def test_review_says_so_when_nothing_waits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_sagactl(monkeypatch, ["review"], **{"orchestrator.list_sagas": [[]]})

    assert code == 0
    assert capsys.readouterr().out == "no sagas awaiting approval\n"
    assert format_review_table([]) == "no sagas awaiting approval"


def test_review_warns_when_the_listing_may_be_cut(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [AWAITING[0]] * 1000
    code, _ = run_sagactl(
        monkeypatch, ["review", "--limit", "1000"], **{"orchestrator.list_sagas": [many]}
    )

    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "only the newest 1000 were listed: older ones may be missing here"
    )


# --- the timeline and the status ----------------------------------------------------------


TIMEOUT = "card network timeout"


@pytest.mark.parametrize(
    ("kind", "fields", "detail"),
    [
        ("awaiting_approval", {}, "waiting for a reviewer's decision"),
        ("approved", {"detail": {"by": "alice"}}, "approved by alice"),
        ("rejected", {"detail": {"reason": "unknown holder"}}, "rejected: unknown holder"),
        ("outcome_unknown", {"detail": {"reason": TIMEOUT, "check_in_seconds": 2.0}},
         f"outcome unknown: {TIMEOUT}; asking again in 2s"),
        ("outcome_unknown",  # recorded with the reply that said so
         {"message_type": "PaymentOutcomeUnknown",
          "detail": {"reason": TIMEOUT, "check_in_seconds": 0.25,
                     "payload": {"payment_id": "pay_1", "reason": TIMEOUT}}},
         f"outcome unknown: {TIMEOUT}; asking again in 0.25s"),
        ("outcome_unknown", {"detail": {"check_in_seconds": 4}},
         "outcome unknown; asking again in 4s"),
    ],
    ids=["awaiting", "approved", "rejected", "unknown", "unknown-with-reply", "no-reason"],
)  # fmt: skip
def test_each_kind_of_review_entry_has_its_detail(
    kind: str, fields: dict[str, Any], detail: str
) -> None:
    reviewed = HistoryEntry.model_validate(entry(kind, "charge_payment", **fields))
    assert entry_detail(reviewed) == detail


def test_timeline_of_a_saga_awaiting_approval_says_until_when() -> None:
    saga = _waiting(history=[entry("awaiting_approval", "charge_payment")])
    lines = format_timeline(saga).splitlines()

    assert words(lines[1]).endswith(
        "awaiting_approval charge_payment - waiting for a reviewer's decision"
    )
    assert lines[-1] == (
        "state now: awaiting_approval, at step charge_payment"
        " (awaiting approval until 2026-11-23 03:26:24.300 UTC)"
    )


def test_timeline_of_a_rejected_order_ends_compensated_with_the_reason() -> None:
    saga = _saga(
        "compensated",
        current_step=None,
        failure={"step": "charge_payment", "code": "rejected", "reason": "fraud"},
        history=[
            entry("awaiting_approval", "charge_payment"),
            entry("rejected", "charge_payment", detail={"reason": "fraud"}),
        ],
    )
    lines = format_timeline(saga).splitlines()

    assert lines[2].endswith("rejected: fraud")
    assert lines[-1] == "final state: compensated (rejected: fraud)"


def test_status_of_a_saga_awaiting_approval_says_until_when_and_its_summary() -> None:
    status = format_status(
        _waiting(
            steps=[
                {"name": "reserve_inventory", "status": "succeeded"},
                {"name": "charge_payment", "status": "awaiting_approval"},
                {"name": "create_shipment", "status": "pending"},
            ],
        )
    )

    # the total is the checkout definition's summary: the status knows no order
    assert status.splitlines() == [
        f"saga      {SAGA_ID} (checkout)",
        "key       ord-1",
        "customer  cus-1",
        "total     1,500.00 EUR",
        "state     awaiting_approval",
        "step      charge_payment",
        "steps     reserve_inventory  succeeded",
        "          charge_payment     awaiting_approval",
        "          create_shipment    pending",
        "review    awaiting approval until 2026-11-23 03:26:24.300 UTC",
        "updated   2026-11-22 03:26:24.300 UTC (version 3)",
    ]


def test_status_of_a_saga_awaiting_approval_without_a_summary_or_a_deadline() -> None:
    status = format_status(_saga("awaiting_approval", data={}, summary={}))

    assert "review    awaiting approval\n" in status
    assert "total" not in status
    assert "deadline" not in status


def test_status_command_shows_the_review_deadline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_sagactl(
        monkeypatch, ["status", "ord-1"], **{"orchestrator.get_saga": [_answer(_waiting())]}
    )

    assert code == 0
    assert "awaiting approval until 2026-11-23 03:26:24.300 UTC" in capsys.readouterr().out


def test_status_counts_the_checks_of_an_unknown_outcome() -> None:
    saga = _saga(
        "running",
        attempt=1,
        deadline="2026-11-22T03:27:00",
        awaiting_message_id="c4d8aa52-0000-4000-8000-000000000001",
        data={"order": _order((1, 500)), "status_checks": 2},
    )
    status = format_status(saga)

    assert "checks    2 (status asked after an unknown outcome)\n" in status
    assert "deadline  2026-11-22 03:27:00.000 UTC (attempt 1)\n" in status
    assert "review" not in status
    assert "checks" not in format_status(_saga("running", data={"order": _order((1, 500))}))


PAYMENTS = {
    "order_id": "ord-1",
    "net_charged_cents": 150000,
    "payments": [
        {
            "payment_id": "pay_1",
            "status": "charged",
            "amount_cents": 150000,
            "currency": "EUR",
            "refunded_cents": 0,
            "charged_at": "2026-11-22T03:26:25.000000+00:00",
            "refunded_at": None,
        }
    ],
}


def test_payments_of_an_order_reviewed_and_charged_read_as_money() -> None:
    assert format_payments(PAYMENTS).splitlines() == [
        "order ord-1: net charged 1,500.00 EUR",
        "  pay_1  charged  1,500.00 EUR charged at 2026-11-22 03:26:25.000",
    ]
