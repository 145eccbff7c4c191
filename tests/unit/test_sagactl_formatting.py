"""sagactl without a broker: the saga views, the --item parser, orders from flags, and how
the task client routes calls and reports timeouts and remote errors."""

from __future__ import annotations

import argparse
import copy
from typing import Any, cast

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from console import cli
from console.timeline import (
    entry_detail,
    format_saga_table,
    format_status,
    format_timeline,
    saga_keys,
)
from sagas.checkout.input import Order

SAGA_ID = "70c085b7-4479-4412-985a-6937a168e36c"


def _entry(
    at: str,
    kind: str,
    step: str | None = None,
    message_type: str | None = None,
    detail: dict[str, Any] | None = None,
    message_id: str | None = None,
    version: int = 1,
) -> dict[str, Any]:
    return {
        "at": at,
        "kind": kind,
        "step": step,
        "message_id": message_id,
        "message_type": message_type,
        "detail": detail or {},
        "version": version,
    }


def _saga(state: str, history: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A get_saga result as the orchestrator returns it (SQLite: naive UTC timestamps)."""
    return {
        "saga_id": SAGA_ID,
        "definition": "checkout",
        "business_key": "ord-1",
        "parent_key": None,
        "summary": {"customer": "cus-1", "total": "30.00 EUR"},
        "correlation_id": "corr-1",
        "state": state,
        "current_step": None,
        "created_at": "2026-11-22T03:26:24.158000",
        "updated_at": history[-1]["at"],
        "steps": [],
        "awaiting_message_id": None,
        "data": {"order": {"order_id": "ord-1"}},
        "failure": None,
        "error": None,
        "version": 4,
        "history": history,
        **fields,
    }


def completed_saga() -> dict[str, Any]:
    return _saga(
        "completed",
        [
            _entry("2026-11-22T03:26:24.159000", "started"),
            _entry(
                "2026-11-22T03:26:24.159000",
                "command_sent",
                "reserve_inventory",
                "ReserveInventory",
                message_id="c4d8aa52-0000-4000-8000-000000000001",
            ),
            _entry(
                "2026-11-22T03:26:24.208000",
                "reply_applied",
                "reserve_inventory",
                "InventoryReserved",
                {"type": "InventoryReserved", "payload": {"reservation_id": "res_1"}},
            ),
            _entry("2026-11-22T03:26:24.208500", "command_sent", "charge_payment", "ChargePayment"),
            _entry(
                "2026-11-22T03:26:24.254000",
                "reply_applied",
                "charge_payment",
                "PaymentCharged",
                {"type": "PaymentCharged", "payload": {"payment_id": "pay_1", "amount_cents": 1}},
            ),
            _entry(
                "2026-11-22T03:26:24.254000", "command_sent", "create_shipment", "CreateShipment"
            ),
            _entry(
                "2026-11-22T03:26:24.293000",
                "reply_applied",
                "create_shipment",
                "ShipmentCreated",
                {
                    "type": "ShipmentCreated",
                    "payload": {"shipment_id": "shp_1", "tracking_number": "FP123"},
                },
            ),
            _entry("2026-11-22T03:26:24.293000", "completed"),
            _entry(
                "2026-11-22T03:26:24.294000",
                "event_recorded",
                None,
                "OrderConfirmed",
                {"order_id": "ord-1"},
            ),
        ],
        steps=[
            {"name": "reserve_inventory", "status": "succeeded"},
            {"name": "charge_payment", "status": "succeeded"},
            {"name": "create_shipment", "status": "succeeded"},
        ],
    )


DECLINED = {"code": "card_declined", "reason": "the card was declined"}


def compensated_saga() -> dict[str, Any]:
    """A declined card: the reservation is released (PostgreSQL: timestamps with offsets)."""
    return _saga(
        "compensated",
        [
            _entry("2026-11-22T03:26:30.444000+00:00", "started"),
            _entry(
                "2026-11-22T03:26:30.444000+00:00",
                "command_sent",
                "reserve_inventory",
                "ReserveInventory",
            ),
            _entry(
                "2026-11-22T03:26:30.460000+00:00",
                "reply_applied",
                "reserve_inventory",
                "InventoryReserved",
                {"type": "InventoryReserved", "payload": {"reservation_id": "res_2"}},
            ),
            _entry(
                "2026-11-22T03:26:30.460000+00:00",
                "command_sent",
                "charge_payment",
                "ChargePayment",
            ),
            _entry(
                "2026-11-22T03:26:30.469000+00:00",
                "reply_applied",
                "charge_payment",
                "PaymentDeclined",
                {"type": "PaymentDeclined", "payload": {"order_id": "ord-1", **DECLINED}},
            ),
            _entry(
                "2026-11-22T03:26:30.470000+00:00",
                "compensation_sent",
                "reserve_inventory",
                "ReleaseInventory",
            ),
            _entry(
                "2026-11-22T04:26:30.482000+01:00",  # same instant as 03:26:30.482 UTC
                "reply_applied",
                "reserve_inventory",
                "InventoryReleased",
                {"type": "InventoryReleased", "payload": {"reservation_id": "res_2"}},
            ),
            _entry(
                "2026-11-22T03:26:30.482000+00:00",
                "compensated",
                detail={"step": "charge_payment", **DECLINED},
            ),
        ],
        created_at="2026-11-22T03:26:30.444000+00:00",
        failure={"step": "charge_payment", **DECLINED},
        steps=[
            {"name": "reserve_inventory", "status": "compensated"},
            {"name": "charge_payment", "status": "failed"},
            {"name": "create_shipment", "status": "pending"},
        ],
    )


# --- the timeline -------------------------------------------------------------------------


def test_timeline_of_a_completed_saga_has_one_line_per_entry_and_the_final_state() -> None:
    lines = format_timeline(completed_saga()).splitlines()

    assert lines[0] == f"checkout ord-1, saga {SAGA_ID}, times UTC"
    assert len(lines) == 1 + 9 + 1
    assert lines[1].split() == ["03:26:24.159", "+1ms", "started", "-", "-"]
    assert lines[2].split() == [
        "03:26:24.159",
        "+1ms",
        "command_sent",
        "reserve_inventory",
        "ReserveInventory",
        "message",
        "c4d8aa52",
    ]
    assert lines[3].split() == [
        "03:26:24.208",
        "+50ms",
        "reply_applied",
        "reserve_inventory",
        "InventoryReserved",
        "reservation_id=res_1",
    ]
    assert lines[5].split()[-1] == "payment_id=pay_1"  # amount_cents is not a reference
    assert lines[7].endswith("shipment_id=shp_1 tracking_number=FP123")
    assert lines[9].split() == ["03:26:24.294", "+136ms", "event_recorded", "-", "OrderConfirmed"]
    assert lines[-1] == "final state: completed"


def test_timeline_columns_line_up() -> None:
    lines = format_timeline(completed_saga()).splitlines()[1:-1]
    kind_column = {line.index(line.split()[2]) for line in lines}
    step_column = {line.index("reserve_inventory") for line in lines if "reserve_inv" in line}
    assert len(kind_column) == 1
    assert len(step_column) == 1


def test_timeline_of_a_compensated_saga_shows_the_decline_reason() -> None:
    lines = format_timeline(compensated_saga()).splitlines()

    declined = lines[5]
    assert declined.split()[:5] == [
        "03:26:30.469",
        "+25ms",
        "reply_applied",
        "charge_payment",
        "PaymentDeclined",
    ]
    assert declined.endswith("card_declined: the card was declined")
    assert "compensation_sent  reserve_inventory  ReleaseInventory" in lines[6]
    # a timestamp with another offset is shown in UTC, and counted from the start in UTC
    assert lines[7].split()[:2] == ["03:26:30.482", "+38ms"]
    assert lines[8].split()[:3] == ["03:26:30.482", "+38ms", "compensated"]
    assert lines[8].endswith("after charge_payment failed: card_declined: the card was declined")
    assert lines[-1] == "final state: compensated (card_declined: the card was declined)"


def test_timeline_shows_ignored_replies_and_the_error_of_a_failed_saga() -> None:
    error = "compensation of charge_payment failed: processor_error: refund refused"
    saga = _saga(
        "failed",
        [
            _entry("2026-11-22T03:26:24.158000", "started"),
            _entry(
                "2026-11-22T03:26:24.300000",
                "reply_ignored",
                "charge_payment",
                "PaymentCharged",
                {"reason": "PaymentCharged answers m-1, saga waits on m-2"},
            ),
            _entry(
                "2026-11-22T03:26:24.400000", "failed", "charge_payment", None, {"error": error}
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
    saga = _saga(
        "running", [_entry("2026-11-22T03:26:24.158000", "started")], current_step="charge_payment"
    )
    assert format_timeline(saga).splitlines()[-1] == "state now: running, at step charge_payment"


def test_formatting_does_not_change_the_saga() -> None:
    saga = compensated_saga()
    before = copy.deepcopy(saga)
    format_timeline(saga)
    format_status(saga)
    assert saga == before


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
    saga = _saga(
        "running",
        [_entry("2026-11-22T03:26:24.158000", "started")],
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
    rows: list[dict[str, Any]] = [
        {
            "saga_id": SAGA_ID,
            "definition": "checkout",
            "business_key": "ord-1",
            "summary": {"customer": "cus-1", "total": "30.00 EUR"},
            "state": "running",
            "current_step": "charge_payment",
            "updated_at": "2026-11-22T03:26:24.293000",
        },
        {
            "saga_id": "73adc3cb-518a-429d-a4e0-9d007bcb72ed",
            "definition": "returns",
            "business_key": "ret-22",
            "parent_key": "ord-1",
            "summary": {},
            "state": "compensated",
            "current_step": None,
            "updated_at": "2026-11-22T03:26:30.481831+00:00",
        },
    ]
    lines = format_saga_table(rows).splitlines()

    assert lines[0].split() == [
        "SAGA", "ID", "DEFINITION", "KEY", "STATE", "STEP", "UPDATED", "(UTC)", "SUMMARY",
    ]  # fmt: skip
    assert lines[1].split() == [
        SAGA_ID,
        "checkout",
        "ord-1",
        "running",
        "charge_payment",
        "2026-11-22",
        "03:26:24.293",
        "customer",
        "cus-1,",
        "total",
        "30.00",
        "EUR",
    ]
    assert lines[2].split()[1:5] == ["returns", "ret-22", "compensated", "-"]
    assert lines[1].index("running") == lines[2].index("compensated")
    assert lines[1].index("ord-1") == lines[2].index("ret-22")
    assert format_saga_table([]) == "no sagas"


# --- --item and orders from flags ---------------------------------------------------------


def test_item_parser() -> None:
    assert cli.parse_item("SKU-1:2:1999") == {
        "sku": "SKU-1",
        "quantity": 2,
        "unit_price_cents": 1999,
    }
    assert cli.parse_item("ns:SKU-1:1:0") == {
        "sku": "ns:SKU-1",
        "quantity": 1,
        "unit_price_cents": 0,
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("SKU-1", "item 'SKU-1' is not SKU:QTY:UNIT_PRICE_CENTS (e.g. SKU-1:2:1999)"),
        ("SKU-1:2", "item 'SKU-1:2' is not SKU:QTY:UNIT_PRICE_CENTS"),
        (":2:100", "item ':2:100' is not SKU:QTY:UNIT_PRICE_CENTS"),
        ("SKU-1:two:100", "item 'SKU-1:two:100': quantity 'two' is not a positive integer"),
        ("SKU-1:0:100", "item 'SKU-1:0:100': quantity '0' is not a positive integer"),
        ("SKU-1:-1:100", "item 'SKU-1:-1:100': quantity '-1' is not a positive integer"),
        (
            "SKU-1:1:19.99",
            "item 'SKU-1:1:19.99': unit price '19.99' is not a whole number of cents",
        ),
        ("SKU-1:1:", "item 'SKU-1:1:': unit price '' is not a whole number of cents"),
    ],
)
def test_bad_items_are_usage_errors(
    item: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["submit", "--item", item])
    assert exited.value.code == 2
    assert f"argument --item: {message}" in capsys.readouterr().err


ORDER_FLAGS = [
    "--order-id",
    "ord-42",
    "--customer-id",
    "c-1",
    "--email",
    "ada@example.com",
    "--name",
    "Ada Lovelace",
    "--item",
    "SKU-1:2:1999",
    "--item",
    "SKU-2:1:500",
    "--token",
    "tok_visa",
    "--line1",
    "1 rue X",
    "--city",
    "Paris",
    "--postal-code",
    "75001",
    "--country",
    "FR",
]


def _submit_args(*extra: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["submit", *ORDER_FLAGS, *extra])


def test_order_from_flags_is_a_valid_order() -> None:
    order = cli.order_of(_submit_args())

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
    order = cli.order_of(_submit_args("--currency", "USD", "--address-name", "Front desk"))
    assert order["currency"] == "USD"
    assert order["shipping_address"]["name"] == "Front desk"
    assert order["customer"]["name"] == "Ada Lovelace"


def test_missing_order_flags_are_named() -> None:
    args = cli.build_parser().parse_args(["submit", "--order-id", "ord-1", "--item", "A:1:1"])
    with pytest.raises(cli.UsageError) as error:
        cli.order_of(args)
    assert str(error.value) == (
        "give FILE, or the order flags; missing: --customer-id, --email, --name, --token,"
        " --line1, --city, --postal-code, --country"
    )


def test_a_file_and_order_flags_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--broker", "redis://127.0.0.1:1/0", "submit", "order.json", "--token", "t"])
    assert exited.value.code == 2
    assert "give FILE or the order flags, not both (got --token)" in capsys.readouterr().err


def test_order_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "order.json"
    path.write_text('{"order_id": "ord-7"}', encoding="utf-8")
    assert cli.order_of(cli.build_parser().parse_args(["submit", str(path)])) == {
        "order_id": "ord-7"
    }
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(cli.CommandError, match="must be a JSON object"):
        cli.read_order_file(str(path))
    with pytest.raises(cli.CommandError, match="cannot read the order from"):
        cli.read_order_file(str(tmp_path / "missing.json"))


# --- the task client, against a stand-in for the Celery app -------------------------------


class SagaNotFound(Exception):  # the name older workers raise
    """Stands for the class Celery rebuilds, by name only, from an unknown remote error."""


class FakeResult:
    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    def get(self, timeout: float) -> Any:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


class FakeApp:
    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.conf = argparse.Namespace(broker_url="redis://127.0.0.1:6379/0")
        self.backend = argparse.Namespace(connection_errors=(ConnectionError,))

    def send_task(self, name: str, kwargs: dict[str, Any], **options: Any) -> FakeResult:
        self.sent.append((name, kwargs, options))
        return FakeResult(self.outcomes.pop(0))

    def close(self) -> None:
        pass


def _client(*outcomes: Any) -> tuple[cli.TaskClient, FakeApp]:
    app = FakeApp(*outcomes)
    return cli.TaskClient(cast(Any, app), timeout=15.0), app


def test_calls_go_to_the_queue_named_before_the_dot() -> None:
    client, app = _client({"sku": "A"}, None, [])
    client.call("inventory.get_stock", {"sku": "A"})
    client.call("inventory.set_stock", {"sku": "A", "quantity": 3}, write=True)
    client.call("shipping.get_shipments", {"order_id": "o"}, timeout=2)

    assert [(name, options["queue"]) for name, _, options in app.sent] == [
        ("inventory.get_stock", "inventory"),
        ("inventory.set_stock", "inventory"),
        ("shipping.get_shipments", "shipping"),
    ]
    # reads expire when the caller stops waiting; writes stay queued
    assert [options["expires"] for _, _, options in app.sent] == [15.0, None, 2]


def test_a_timeout_says_the_worker_may_not_be_running() -> None:
    client, _ = _client(ResultTimeout("The operation timed out."))
    with pytest.raises(cli.CommandError) as error:
        client.call("payment.get_payments", {"order_id": "o"})
    assert str(error.value) == (
        "no answer from payment.get_payments within 15s: the payment worker may not be running."
    )


def test_a_remote_error_carries_its_message() -> None:
    message = "invalid order: items.0.quantity: Input should be greater than 0"
    client, _ = _client(ValueError(message))
    with pytest.raises(cli.RemoteError) as error:
        client.call("orchestrator.place_order", {"order_id": "o"}, write=True)
    assert str(error.value) == f"orchestrator.place_order failed: {message}"


def test_an_id_shaped_like_a_uuid_is_tried_as_saga_id_then_as_key() -> None:
    found = {"saga_id": "s", "definition": "checkout", "business_key": SAGA_ID}
    client, app = _client(SagaNotFound(f"no saga with saga_id {SAGA_ID}"), found)
    assert cli.fetch_saga(client, SAGA_ID) == found
    assert [kwargs for _, kwargs, _ in app.sent] == [{"saga_id": SAGA_ID}, {"key": SAGA_ID}]

    client, app = _client(LookupError("no saga with key ord-1"))
    with pytest.raises(cli.CommandError, match="no saga with saga id or key ord-1"):
        cli.fetch_saga(client, "ord-1")
    assert [kwargs for _, kwargs, _ in app.sent] == [{"key": "ord-1"}]


def test_a_key_is_looked_up_in_one_definition_when_given() -> None:
    found = {"saga_id": "s", "definition": "returns", "business_key": "ret-1"}
    client, app = _client(found)
    assert cli.fetch_saga(client, "ret-1", definition="returns") == found
    assert [kwargs for _, kwargs, _ in app.sent] == [{"definition": "returns", "key": "ret-1"}]

    client, app = _client(LookupError("no returns saga with key ret-404"))
    with pytest.raises(cli.CommandError, match="no returns saga with saga id or key ret-404"):
        cli.fetch_saga(client, "ret-404", definition="returns")


def test_a_saga_id_of_another_definition_than_asked_falls_back_to_the_key() -> None:
    other = {"saga_id": SAGA_ID, "definition": "checkout", "business_key": "ord-1"}
    wanted = {"saga_id": "s", "definition": "returns", "business_key": SAGA_ID}
    client, app = _client(other, wanted)
    assert cli.fetch_saga(client, SAGA_ID, definition="returns") == wanted
    assert [kwargs for _, kwargs, _ in app.sent] == [
        {"saga_id": SAGA_ID},
        {"definition": "returns", "key": SAGA_ID},
    ]


def test_other_remote_errors_of_get_saga_are_not_taken_for_not_found() -> None:
    client, app = _client(ValueError("give saga_id or order_id"))
    with pytest.raises(cli.RemoteError, match="get_saga failed: give saga_id or order_id"):
        cli.fetch_saga(client, SAGA_ID)
    assert len(app.sent) == 1


def test_main_prints_one_line_and_exits_1_on_a_remote_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = FakeApp(ValueError("quantity must be a non-negative integer, got 'x'"))
    monkeypatch.setattr(cli, "build_app", lambda broker, backend: app)

    assert cli.main(["stock", "set", "SKU-1", "4"]) == 1
    assert capsys.readouterr().err == (
        "sagactl: inventory.set_stock failed: quantity must be a non-negative integer, got 'x'\n"
    )


# --- any definition: the key, the parent and the definition's summary ----------------------


def test_a_saga_started_for_another_names_its_parent() -> None:
    saga = _saga(
        "running",
        [_entry("2026-11-22T03:26:24.158000", "started")],
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
    entry = _entry(
        "2026-11-22T03:26:24.208000",
        "reply_applied",
        "reserve_inventory",
        "InventoryReserved",
        {"payload": {"order_id": "ord-1", "reservation_id": "res_1", "items": []}},
    )

    assert entry_detail(entry) == "order_id=ord-1 reservation_id=res_1"
    assert entry_detail(entry, frozenset({"ord-1"})) == "reservation_id=res_1"
    assert saga_keys(completed_saga()) == frozenset({"ord-1"})
    assert format_timeline(completed_saga()).splitlines()[3].endswith("reservation_id=res_1")
