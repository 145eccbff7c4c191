"""sagactl without a broker: the saga views, the --item parser, orders from flags, and how
the task client routes calls and reports timeouts and remote errors."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console import cli
from console.cli.orders import order_of, parse_item, read_order_file
from console.tables import format_saga_table
from console.text import saga_keys
from console.timeline import entry_detail, format_status, format_timeline
from messaging.contracts.read_models import HistoryEntry, SagaSummary, SagaView
from saga_client.tasks import CommandError, NoAnswer, RemoteError, queue_of
from sagas.checkout.input import Order
from tests.unit.sagactl_stand_in import (
    MESSAGE_ID,
    SAGA_ID,
    entry,
    platform,
    run_sagactl,
    saga_summary,
    saga_view,
    task_client,
    view,
    words,
)


def completed_saga() -> SagaView:
    at = "2026-11-22T03:26:24."
    return view(
        state="completed",
        history=[
            entry("started", at=f"{at}159000"),
            entry("command_sent", "reserve_inventory", at=f"{at}159000",
                  message_type="ReserveInventory", message_id=MESSAGE_ID),
            entry("reply_applied", "reserve_inventory", at=f"{at}208000",
                  message_type="InventoryReserved",
                  detail={"type": "InventoryReserved", "payload": {"reservation_id": "res_1"}}),
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
            entry("started", at=f"{at}444000+00:00"),
            entry("command_sent", "reserve_inventory", at=f"{at}444000+00:00",
                  message_type="ReserveInventory"),
            entry("reply_applied", "reserve_inventory", at=f"{at}460000+00:00",
                  message_type="InventoryReserved",
                  detail={"type": "InventoryReserved", "payload": {"reservation_id": "res_2"}}),
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


# --- status and listing -------------------------------------------------------------------


def test_status_of_a_compensated_saga() -> None:
    assert format_status(compensated_saga()).splitlines() == [
        f"saga      {SAGA_ID} (checkout)",
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


def test_saga_table() -> None:
    rows = [
        saga_summary(current_step="charge_payment", updated_at="2026-11-22T03:26:24.293000"),
        saga_summary(
            saga_id="73adc3cb-518a-429d-a4e0-9d007bcb72ed",
            definition="returns",
            business_key="ret-22",
            parent_key="ord-1",
            summary={},
            state="compensated",
            updated_at="2026-11-22T03:26:30.481831+00:00",
        ),
    ]
    lines = format_saga_table([SagaSummary.model_validate(row) for row in rows]).splitlines()

    assert words(lines[0]) == "SAGA ID DEFINITION KEY STATE STEP UPDATED (UTC) SUMMARY"
    assert words(lines[1]) == (
        f"{SAGA_ID} checkout ord-1 running charge_payment 2026-11-22 03:26:24.293"
        " customer cus-1, total 30.00 EUR"
    )
    assert lines[2].split()[1:5] == ["returns", "ret-22", "compensated", "-"]
    assert lines[1].index("running") == lines[2].index("compensated")
    assert lines[1].index("ord-1") == lines[2].index("ret-22")
    assert format_saga_table([]) == "no sagas"


# --- --item and orders from flags ---------------------------------------------------------


def test_item_parser() -> None:
    assert parse_item("SKU-1:2:1999") == {
        "sku": "SKU-1",
        "quantity": 2,
        "unit_price_cents": 1999,
    }
    assert parse_item("ns:SKU-1:1:0") == {
        "sku": "ns:SKU-1",
        "quantity": 1,
        "unit_price_cents": 0,
    }


ORDER_FLAGS = [
    "--order-id", "ord-42", "--customer-id", "c-1", "--email", "ada@example.com",
    "--name", "Ada Lovelace", "--item", "SKU-1:2:1999", "--item", "SKU-2:1:500",
    "--token", "tok_visa", "--line1", "1 rue X", "--city", "Paris", "--postal-code", "75001",
    "--country", "FR",
]  # fmt: skip


def _submit_args(*extra: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["submit", *ORDER_FLAGS, *extra])


def test_order_from_flags_is_a_valid_order() -> None:
    order = order_of(_submit_args())

    assert order == {
        "order_id": "ord-42",
        "customer": {"id": "c-1", "email": "ada@example.com", "name": "Ada Lovelace"},
        "items": [
            {"sku": "SKU-1", "quantity": 2, "unit_price_cents": 1999},
            {"sku": "SKU-2", "quantity": 1, "unit_price_cents": 500},
        ],
        "currency": "EUR",
        "payment_token": "tok_visa",
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "1 rue X",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
    }
    assert Order.model_validate(order).total_cents == 2 * 1999 + 500


def test_order_flags_override_the_defaults() -> None:
    order = order_of(_submit_args("--currency", "USD", "--address-name", "Front desk"))
    assert order["currency"] == "USD"
    assert order["shipping_address"]["name"] == "Front desk"
    assert order["customer"]["name"] == "Ada Lovelace"


def test_order_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "order.json"
    path.write_text('{"order_id": "ord-7"}', encoding="utf-8")
    assert order_of(cli.build_parser().parse_args(["submit", str(path)])) == {"order_id": "ord-7"}
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CommandError, match="must be a JSON object"):
        read_order_file(str(path))
    with pytest.raises(CommandError, match="cannot read the order from"):
        read_order_file(str(tmp_path / "missing.json"))


# --- the task client, against a stand-in for the Celery app -------------------------------


class SagaNotFound(Exception):  # the name older workers raise
    """Stands for the class Celery rebuilds, by name only, from an unknown remote error."""


def test_each_call_goes_to_the_queue_of_its_service_reads_expire_writes_stay_queued() -> None:
    client, app = task_client(
        {
            "inventory.get_stock": [{"sku": "A"}],
            "inventory.set_stock": [None],
            "shipping.get_shipments": [[]],
            "reactor.crm.get_customer": [{"id": "c-1"}],
            "reactor.email.replay_dead_letters": [{"replayed": []}],
        }
    )
    client.call("inventory.get_stock", {"sku": "A"})
    client.call("inventory.set_stock", {"sku": "A", "quantity": 3}, write=True)
    client.call("shipping.get_shipments", {"order_id": "o"}, timeout=2)
    client.call("reactor.crm.get_customer", {"customer_id": "c-1"})
    client.call("reactor.email.replay_dead_letters", {"ids": None}, write=True)

    # the queue is the task name minus its last part; a read expires when the caller stops
    # waiting, a write stays queued until a worker takes it
    assert [(name, options["queue"], options["expires"]) for name, _, options in app.sent] == [
        ("inventory.get_stock", "inventory", 15.0),
        ("inventory.set_stock", "inventory", None),
        ("shipping.get_shipments", "shipping", 2),
        ("reactor.crm.get_customer", "reactor.crm", 15.0),
        ("reactor.email.replay_dead_letters", "reactor.email", None),
    ]
    assert queue_of("orchestrator.get_saga") == "orchestrator"


@pytest.mark.parametrize(
    ("task", "timeout", "message"),
    [
        ("payment.get_payments", 15.0, "within 15s: the payment worker may not be running."),
        ("reactor.crm.get_customer", 3.0, "within 3s: the reactor.crm worker may not be running."),
    ],
)
def test_a_timeout_says_which_worker_may_not_be_running(
    task: str, timeout: float, message: str
) -> None:
    client, _ = task_client({task: [ResultTimeout("The operation timed out.")]}, timeout)
    with pytest.raises(NoAnswer) as error:
        client.call(task, {})
    assert str(error.value) == f"no answer from {task} {message}"


def test_a_remote_error_carries_its_message() -> None:
    message = "invalid order: items.0.quantity: Input should be greater than 0"
    client, _ = task_client({"orchestrator.place_order": [ValueError(message)]})
    with pytest.raises(RemoteError) as error:
        client.call("orchestrator.place_order", {"order_id": "o"}, write=True)
    assert str(error.value) == f"orchestrator.place_order failed: {message}"


def _fetched(*answers: Any, definition: str | None = None, saga_id: str = SAGA_ID) -> Any:
    """What find_saga found for ``saga_id`` (as JSON), and what it asked get_saga each time."""
    found, app = platform({"orchestrator.get_saga": list(answers)})
    saga = found.find_saga(saga_id, definition=definition)
    return saga.model_dump(mode="json"), [kwargs for _, kwargs, _ in app.sent]


def test_an_id_shaped_like_a_uuid_is_tried_as_saga_id_then_as_key() -> None:
    found = saga_view(saga_id="s", business_key=SAGA_ID)
    assert _fetched(SagaNotFound(f"no saga with saga_id {SAGA_ID}"), found) == (
        found,
        [{"saga_id": SAGA_ID}, {"key": SAGA_ID}],
    )


def test_a_key_is_looked_up_in_one_definition_when_given() -> None:
    found = saga_view(saga_id="s", definition="returns", business_key="ret-1")
    assert _fetched(found, definition="returns", saga_id="ret-1") == (
        found,
        [{"definition": "returns", "key": "ret-1"}],
    )


def test_a_saga_id_of_another_definition_than_asked_falls_back_to_the_key() -> None:
    other = saga_view()
    wanted = saga_view(saga_id="s", definition="returns", business_key=SAGA_ID)
    assert _fetched(other, wanted, definition="returns") == (
        wanted,
        [{"saga_id": SAGA_ID}, {"definition": "returns", "key": SAGA_ID}],
    )


@pytest.mark.parametrize(
    ("key", "definition", "message"),
    [
        ("ord-1", None, "no saga with saga id or key ord-1"),
        ("ret-404", "returns", "no returns saga with saga id or key ret-404"),
    ],
)
def test_a_key_no_saga_has_is_a_command_error(
    key: str, definition: str | None, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _fetched(LookupError(f"no saga with key {key}"), definition=definition, saga_id=key)


def test_other_remote_errors_of_get_saga_are_not_taken_for_not_found() -> None:
    with pytest.raises(RemoteError, match="get_saga failed: give saga_id or order_id"):
        _fetched(ValueError("give saga_id or order_id"))


@pytest.mark.parametrize(
    ("argv", "task", "error"),
    [
        (["stock", "set", "SKU-1", "4"], "inventory.set_stock",
         ValueError("quantity must be a non-negative integer, got 'x'")),
        (["start", "refunds", "--input", "{}"], "orchestrator.start_saga",
         ValueError("unknown saga definition 'refunds' (known: checkout, returns)")),
        (["describe", "nope"], "orchestrator.describe_definition",
         LookupError("unknown saga definition 'nope' (known: checkout)")),
        (["reactors", "unsubscribe", "fax"], "events.unsubscribe",
         LookupError("no reactor named 'fax' has subscribed")),
        (["reactors", "backfill", "fax"], "events.backfill",
         LookupError("no reactor named 'fax' has subscribed")),
    ],
)  # fmt: skip
def test_a_task_that_fails_exits_1_with_one_line_naming_it(
    argv: list[str],
    task: str,
    error: Exception,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run_sagactl(monkeypatch, argv, **{task: [error]})

    assert code == 1
    assert capsys.readouterr() == ("", f"sagactl: {task} failed: {error}\n")


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
        f"saga       {SAGA_ID} (returns)",  # labels widen to the longest one
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
