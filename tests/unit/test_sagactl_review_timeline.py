"""How the timeline and the status show a manual review and a charge whose outcome is
unknown, and the payments of a reviewed order."""

from __future__ import annotations

from typing import Any

import pytest

from console.cli.participants import format_payments
from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry
from tests.unit.sagactl_sagas import as_answer, awaiting_approval, order_of_items, reviewed_saga
from tests.unit.sagactl_stand_in import SAGA_ID, Sagactl, entry, words

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
    saga = awaiting_approval(history=[entry("awaiting_approval", "charge_payment")])
    lines = format_timeline(saga).splitlines()

    assert words(lines[1]).endswith(
        "awaiting_approval charge_payment - waiting for a reviewer's decision"
    )
    assert lines[-1] == (
        "state now: awaiting_approval, at step charge_payment"
        " (awaiting approval until 2026-11-23 03:26:24.300 UTC)"
    )


def test_timeline_of_a_rejected_order_ends_compensated_with_the_reason() -> None:
    saga = reviewed_saga(
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
        awaiting_approval(
            steps=[
                {"name": "reserve_inventory", "status": "succeeded"},
                {"name": "charge_payment", "status": "awaiting_approval"},
                {"name": "create_shipment", "status": "pending"},
            ],
        )
    )

    # the total is the checkout definition's summary: the status knows no order
    assert status.splitlines() == [
        f"saga      {SAGA_ID} (checkout@1)",
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
    status = format_status(reviewed_saga("awaiting_approval", data={}, summary={}))

    assert "review    awaiting approval\n" in status
    assert "total" not in status
    assert "deadline" not in status


def test_status_command_shows_the_review_deadline(sagactl: Sagactl) -> None:
    code, _ = sagactl.run(
        ["status", "ord-1"],
        **{"orchestrator.get_saga": [as_answer(awaiting_approval())]},
    )

    assert code == 0
    assert "awaiting approval until 2026-11-23 03:26:24.300 UTC" in sagactl.printed().out


def test_status_counts_the_checks_of_an_unknown_outcome() -> None:
    saga = reviewed_saga(
        "running",
        attempt=1,
        deadline="2026-11-22T03:27:00",
        awaiting_message_id="c4d8aa52-0000-4000-8000-000000000001",
        data={"order": order_of_items((1, 500)), "status_checks": 2},
    )
    status = format_status(saga)

    assert "checks    2 (status asked after an unknown outcome)\n" in status
    assert "deadline  2026-11-22 03:27:00.000 UTC (attempt 1)\n" in status
    assert "review" not in status
    assert "checks" not in format_status(
        reviewed_saga("running", data={"order": order_of_items((1, 500))})
    )


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
