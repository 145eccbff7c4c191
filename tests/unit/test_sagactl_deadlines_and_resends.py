"""How the timeline and the status show deadlines, resends, compensation retries, timeouts,
operator retries and cancels."""

from __future__ import annotations

from typing import Any

import pytest

from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry, SagaView
from tests.unit.sagactl_sagas import at_charge_payment
from tests.unit.sagactl_stand_in import MESSAGE_ID, entry, words


def _view(state: str, **fields: Any) -> SagaView:
    return SagaView.model_validate(at_charge_payment(state, **fields))


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
