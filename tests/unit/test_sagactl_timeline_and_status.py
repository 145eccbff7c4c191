"""How sagactl shows one saga: its timeline (one line per history entry, columns lined up,
times in UTC, the final state) and its status, for a completed, a compensated, a failed
and a running saga, and a saga started for another."""

from __future__ import annotations

from typing import Any

from console.text import saga_keys
from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry, SagaView
from tests.unit.sagactl_stand_in import MESSAGE_ID, SAGA_ID, entry, view, words


def _reserved(
    started: str, reserved: str, reservation_id: str, **sent: Any
) -> list[dict[str, Any]]:
    """How both sagas below begin: started, ReserveInventory sent, InventoryReserved applied."""
    return [
        entry("started", at=started),
        entry("command_sent", "reserve_inventory", at=started, message_type="ReserveInventory",
              **sent),
        entry("reply_applied", "reserve_inventory", at=reserved, message_type="InventoryReserved",
              detail={"type": "InventoryReserved", "payload": {"reservation_id": reservation_id}}),
    ]  # fmt: skip


def completed_saga() -> SagaView:
    at = "2026-11-22T03:26:24."
    return view(
        state="completed",
        history=[
            *_reserved(f"{at}159000", f"{at}208000", "res_1", message_id=MESSAGE_ID),
            entry("command_sent", "charge_payment", at=f"{at}208500", message_type="ChargePayment"),
            entry("reply_applied", "charge_payment", at=f"{at}254000",
                  message_type="PaymentCharged", detail={"type": "PaymentCharged",
                          "payload": {"payment_id": "pay_1", "amount_cents": 1}}),
            entry("command_sent", "create_shipment", at=f"{at}254000",
                  message_type="CreateShipment"),
            entry("reply_applied", "create_shipment", at=f"{at}293000",
                  message_type="ShipmentCreated",
                  detail={"type": "ShipmentCreated",
                          "payload": {"shipment_id": "shp_1", "tracking_number": "FP123"}}),
            entry("completed", at=f"{at}293000"),
            entry("event_recorded", at=f"{at}294000", message_type="OrderConfirmed",
                  detail={"order_id": "ord-1"}),
        ],
        steps=[
            {"name": "reserve_inventory", "status": "succeeded"},
            {"name": "charge_payment", "status": "succeeded"},
            {"name": "create_shipment", "status": "succeeded"},
        ],
    )  # fmt: skip


DECLINED = {"code": "card_declined", "reason": "the card was declined"}


def compensated_saga() -> SagaView:
    """A declined card: the reservation is released (PostgreSQL: timestamps with offsets)."""
    at = "2026-11-22T03:26:30."
    return view(
        state="compensated",
        history=[
            *_reserved(f"{at}444000+00:00", f"{at}460000+00:00", "res_2"),
            entry("command_sent", "charge_payment", at=f"{at}460000+00:00",
                  message_type="ChargePayment"),
            entry("reply_applied", "charge_payment", at=f"{at}469000+00:00",
                  message_type="PaymentDeclined",
                  detail={"type": "PaymentDeclined", "payload": {"order_id": "ord-1", **DECLINED}}),
            entry("compensation_sent", "reserve_inventory", at=f"{at}470000+00:00",
                  message_type="ReleaseInventory"),
            entry("reply_applied", "reserve_inventory",
                  at="2026-11-22T04:26:30.482000+01:00",  # same instant as 03:26:30.482 UTC
                  message_type="InventoryReleased",
                  detail={"type": "InventoryReleased", "payload": {"reservation_id": "res_2"}}),
            entry("compensated", at=f"{at}482000+00:00",
                  detail={"step": "charge_payment", **DECLINED}),
        ],
        created_at=f"{at}444000+00:00",
        updated_at=f"{at}482000+00:00",
        failure={"step": "charge_payment", **DECLINED},
        steps=[
            {"name": "reserve_inventory", "status": "compensated"},
            {"name": "charge_payment", "status": "failed"},
            {"name": "create_shipment", "status": "pending"},
        ],
    )  # fmt: skip


# --- the timeline -------------------------------------------------------------------------


def test_timeline_of_a_completed_saga_has_one_line_per_entry_and_the_final_state() -> None:
    lines = format_timeline(completed_saga()).splitlines()

    assert lines[0] == f"checkout ord-1, saga {SAGA_ID}, times UTC"
    assert len(lines) == 1 + 9 + 1
    assert words(lines[1]) == "03:26:24.159 +1ms started - -"
    assert words(lines[2]) == (
        "03:26:24.159 +1ms command_sent reserve_inventory ReserveInventory message c4d8aa52"
    )
    assert words(lines[3]) == (
        "03:26:24.208 +50ms reply_applied reserve_inventory InventoryReserved reservation_id=res_1"
    )
    assert lines[5].split()[-1] == "payment_id=pay_1"  # amount_cents is not a reference
    assert lines[7].endswith("shipment_id=shp_1 tracking_number=FP123")
    assert words(lines[9]) == "03:26:24.294 +136ms event_recorded - OrderConfirmed"
    assert lines[-1] == "final state: completed"


def test_timeline_columns_line_up() -> None:
    lines = format_timeline(completed_saga()).splitlines()[1:-1]
    kind_column = {line.index(line.split()[2]) for line in lines}
    step_column = {line.index("reserve_inventory") for line in lines if "reserve_inv" in line}
    assert len(kind_column) == 1
    assert len(step_column) == 1


def test_timeline_of_a_compensated_saga_shows_the_decline_reason() -> None:
    lines = format_timeline(compensated_saga()).splitlines()

    assert words(lines[5]) == (
        "03:26:30.469 +25ms reply_applied charge_payment PaymentDeclined"
        " card_declined: the card was declined"
    )
    assert "compensation_sent  reserve_inventory  ReleaseInventory" in lines[6]
    # a timestamp with another offset is shown in UTC, and counted from the start in UTC
    assert lines[7].split()[:2] == ["03:26:30.482", "+38ms"]
    assert lines[8].split()[:3] == ["03:26:30.482", "+38ms", "compensated"]
    assert lines[8].endswith("after charge_payment failed: card_declined: the card was declined")
    assert lines[-1] == "final state: compensated (card_declined: the card was declined)"


def test_timeline_shows_ignored_replies_and_the_error_of_a_failed_saga() -> None:
    error = "compensation of charge_payment failed: processor_error: refund refused"
    saga = view(
        state="failed",
        history=[
            entry("started"),
            entry(
                "reply_ignored",
                "charge_payment",
                at="2026-11-22T03:26:24.300000",
                message_type="PaymentCharged",
                detail={"reason": "PaymentCharged answers m-1, saga waits on m-2"},
            ),
            entry(
                "failed", "charge_payment", at="2026-11-22T03:26:24.400000", detail={"error": error}
            ),
        ],
        error=error,
    )
    lines = format_timeline(saga).splitlines()

    assert lines[1].split()[:2] == ["03:26:24.158", "+0ms"]
    assert lines[2].endswith("ignored: PaymentCharged answers m-1, saga waits on m-2")
    assert lines[3].endswith(f"error: {error}")
    assert lines[-1] == f"final state: failed ({error})"


def test_timeline_of_a_running_saga_ends_with_its_current_step() -> None:
    saga = view(history=[entry("started")], current_step="charge_payment")
    assert format_timeline(saga).splitlines()[-1] == "state now: running, at step charge_payment"


def test_formatting_does_not_change_the_saga() -> None:
    saga = compensated_saga()
    before = saga.model_dump()
    format_timeline(saga)
    format_status(saga)
    assert saga.model_dump() == before


# --- the status -------------------------------------------------------------------


def test_status_of_a_compensated_saga() -> None:
    assert format_status(compensated_saga()).splitlines() == [
        f"saga      {SAGA_ID} (checkout@1)",
        "key       ord-1",
        "customer  cus-1",
        "total     30.00 EUR",
        "state     compensated",
        "step      -",
        "steps     reserve_inventory  compensated",
        "          charge_payment     failed",
        "          create_shipment    pending",
        "failure   charge_payment: card_declined: the card was declined",
        "awaiting  -",
        "updated   2026-11-22 03:26:30.482 UTC (version 4)",
    ]


def test_status_of_a_running_saga_shows_the_awaited_message_and_no_failure() -> None:
    saga = view(
        history=[entry("started")],
        current_step="charge_payment",
        awaiting_message_id="e3b9ad39-1111-4000-8000-000000000000",
        steps=[
            {"name": "reserve_inventory", "status": "succeeded"},
            {"name": "charge_payment", "status": "running"},
        ],
    )
    text = format_status(saga)

    assert "state     running\n" in text
    assert "step      charge_payment\n" in text
    assert "          charge_payment     running\n" in text
    assert "awaiting  e3b9ad39-1111-4000-8000-000000000000\n" in text
    assert "failure" not in text
    assert "error" not in text


# --- any definition: the key, the parent and the definition's summary ----------------------


def test_a_saga_started_for_another_names_its_parent() -> None:
    saga = view(
        history=[entry("started")],
        definition="returns",
        business_key="ret-1",
        parent_key="ord-1",
        summary={"lines": "1", "refund due": "12.50 EUR"},
        current_step="refund_payment",
    )

    assert format_timeline(saga).splitlines()[0] == (
        f"returns ret-1 (for ord-1), saga {SAGA_ID}, times UTC"
    )
    assert format_status(saga).splitlines()[:6] == [
        f"saga       {SAGA_ID} (returns@1)",  # labels widen to the longest one
        "key        ret-1",
        "parent     ord-1",
        "lines      1",
        "refund due 12.50 EUR",
        "state      running",
    ]


def test_reply_references_that_repeat_the_sagas_keys_are_left_out() -> None:
    reply = HistoryEntry.model_validate(
        entry(
            "reply_applied",
            "reserve_inventory",
            message_type="InventoryReserved",
            detail={"payload": {"order_id": "ord-1", "reservation_id": "res_1", "items": []}},
        )
    )

    assert entry_detail(reply) == "order_id=ord-1 reservation_id=res_1"
    assert entry_detail(reply, frozenset({"ord-1"})) == "reservation_id=res_1"
    assert saga_keys(completed_saga()) == frozenset({"ord-1"})
    assert format_timeline(completed_saga()).splitlines()[3].endswith("reservation_id=res_1")
