"""Checkout version 2 through the pure engine: the reservation and the fraud screening go
out together; a partial reservation is charged, shipped and confirmed for what it got; a
fraud verdict releases the stock and ends compensated with fraud_rejected, before any
review; version 1 refuses an order that allows a partial reservation."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import permutations
from typing import Any

import pytest

from messaging.contracts import Payload
from messaging.contracts.fraud import FraudSuspected, OrderScreened, ScreenOrder
from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReleased,
    InventoryReserved,
    ReleaseInventory,
    ReserveInventory,
    StockLine,
)
from messaging.contracts.payment import ChargePayment, PaymentCharged
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import CreateShipment, ShipmentCreated
from orchestrator import engine
from orchestrator.definition import AdmissionContext, Admitted, Refused, SagaRecord
from orchestrator.engine import SagaState, StepStatus, Transition
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.checkout.input import Order
from sagas.checkout.version_1 import CHECKOUT_V1
from sagas.checkout.version_2 import CHECKOUT_V2
from tests.checkout_history import HAPPY_PATH_KINDS_V2

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LINES = [StockLine(sku="SKU-1", quantity=2), StockLine(sku="SKU-2", quantity=1)]
RESERVED = InventoryReserved(order_id="ord-1", reservation_id="res-1", items=LINES)
PARTLY = InventoryPartiallyReserved(
    order_id="ord-1",
    reservation_id="res-1",
    items=[StockLine(sku="SKU-1", quantity=1)],
    missing=[StockLine(sku="SKU-1", quantity=1), StockLine(sku="SKU-2", quantity=1)],
)
SCREENED = OrderScreened(order_id="ord-1", screening_id="scr-1", score=5)
SUSPECTED = FraudSuspected(
    order_id="ord-1", screening_id="scr-1", score=99, code="fraud_rejected", reason="tok_fraud"
)
SHIPPED = ShipmentCreated(
    order_id="ord-1", shipment_id="shp-1", carrier="fake-parcel", tracking_number="T1"
)


class NoSagas:
    def get(self, definition: str, business_key: str) -> SagaRecord | None:
        return None

    def children(self, definition: str, parent_key: str) -> list[SagaRecord]:
        return []


def context(**settings: str) -> AdmissionContext:
    return AdmissionContext(lookup=NoSagas(), settings=settings)


@pytest.fixture
def new_id() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"cmd-{next(counter)}"


def started(order: dict[str, Any], new_id: Callable[[], str], **settings: str) -> Transition:
    assert CHECKOUT_V2.admission is not None
    admitted = CHECKOUT_V2.admission.admit(Order.model_validate(order), context(**settings))
    assert isinstance(admitted, Admitted)
    return engine.start(CHECKOUT_V2, admitted.data, new_id, NOW)


def answer(state: SagaState, payload: Payload, to: str, new_id: Callable[[], str]) -> Transition:
    result = engine.on_reply(
        CHECKOUT_V2, state, payload.message_type, to, payload, new_id=new_id, now=NOW
    )
    assert isinstance(result, Transition), result
    return result


def sent_to(transition: Transition) -> dict[str, str]:
    return {c.step: c.message_id for c in transition.commands}


def through_screening(
    order: dict[str, Any], reservation: Payload, new_id: Callable[[], str]
) -> Transition:
    first = started(order, new_id)
    ids = sent_to(first)
    moved = answer(first.state, reservation, ids["reserve_inventory"], new_id)
    return answer(moved.state, SCREENED, ids["screen_fraud"], new_id)


def test_the_reservation_and_the_screening_go_out_together(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    first = started({**order, "allow_partial": True}, new_id)

    reserve, screen = (c.payload for c in first.commands)
    assert isinstance(reserve, ReserveInventory) and reserve.allow_partial is True
    assert isinstance(screen, ScreenOrder)
    assert (screen.amount_cents, screen.country, screen.customer_id) == (3000, "GB", "cus-1")
    assert first.state.steps[:2] == (StepStatus.RUNNING, StepStatus.RUNNING)


@pytest.mark.parametrize("order_of_replies", list(permutations(["reserve", "screen"])))
def test_the_whole_order_is_charged_shipped_and_confirmed_with_its_carrier(
    order: dict[str, Any], new_id: Callable[[], str], order_of_replies: tuple[str, ...]
) -> None:
    first = started(order, new_id)
    ids = sent_to(first)
    replies = {"reserve": ("reserve_inventory", RESERVED), "screen": ("screen_fraud", SCREENED)}
    state = first.state
    for name in order_of_replies:
        step, payload = replies[name]
        moved = answer(state, payload, ids[step], new_id)
        state = moved.state

    (charge,) = moved.commands
    assert isinstance(charge.payload, ChargePayment) and charge.payload.amount_cents == 3000
    charged = PaymentCharged(
        order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"
    )
    shipping = answer(state, charged, charge.message_id, new_id)
    done = answer(shipping.state, SHIPPED, shipping.commands[0].message_id, new_id)

    assert done.state.status is SagaStatus.COMPLETED
    (event,) = done.events
    assert isinstance(event, OrderConfirmed)
    assert (event.total_cents, event.left_out, event.carrier) == (3000, [], "fake-parcel")


def test_a_partial_reservation_is_charged_shipped_and_confirmed_for_what_it_got(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    screened = through_screening({**order, "allow_partial": True}, PARTLY, new_id)

    (charge,) = screened.commands
    assert isinstance(charge.payload, ChargePayment)
    assert charge.payload.amount_cents == 1250  # 1 x SKU-1 of the 2 x 12.50 + 1 x 5.00 asked
    charged = PaymentCharged(
        order_id="ord-1", payment_id="pay-1", amount_cents=1250, currency="EUR"
    )
    shipping = answer(screened.state, charged, charge.message_id, new_id)
    (ship,) = shipping.commands
    assert isinstance(ship.payload, CreateShipment)
    assert ship.payload.items == [StockLine(sku="SKU-1", quantity=1)]
    done = answer(shipping.state, SHIPPED, ship.message_id, new_id)

    (event,) = done.events
    assert isinstance(event, OrderConfirmed)
    assert [(i.sku, i.quantity) for i in event.items] == [("SKU-1", 1)]
    assert event.total_cents == 1250
    assert [(i.sku, i.quantity, i.unit_price_cents) for i in event.left_out] == [
        ("SKU-1", 1, 1250),
        ("SKU-2", 1, 500),
    ]


@pytest.mark.parametrize("reserved_first", [True, False])
def test_a_fraud_verdict_releases_the_stock_and_ends_fraud_rejected(
    order: dict[str, Any], new_id: Callable[[], str], reserved_first: bool
) -> None:
    first = started(order, new_id)
    ids = sent_to(first)
    if reserved_first:
        state = answer(first.state, RESERVED, ids["reserve_inventory"], new_id).state
        undo = answer(state, SUSPECTED, ids["screen_fraud"], new_id)
    else:
        waiting = answer(first.state, SUSPECTED, ids["screen_fraud"], new_id)
        assert waiting.commands == ()  # the reservation is in flight: nothing to undo yet
        undo = answer(waiting.state, RESERVED, ids["reserve_inventory"], new_id)

    (release,) = undo.commands
    assert isinstance(release.payload, ReleaseInventory)
    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=LINES)
    ended = answer(undo.state, released, release.message_id, new_id)

    assert ended.state.status is SagaStatus.COMPENSATED
    (event,) = ended.events
    assert isinstance(event, OrderCancelled) and event.code == "fraud_rejected"


def test_a_fraud_verdict_on_an_order_due_for_review_never_waits_for_the_review(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    big = {**order, "payment_token": "tok_fraud"}
    first = started(big, new_id, SAGA_REVIEW_THRESHOLD_CENTS="1000")
    ids = sent_to(first)
    state = answer(first.state, RESERVED, ids["reserve_inventory"], new_id).state
    undo = answer(state, SUSPECTED, ids["screen_fraud"], new_id)

    assert undo.state.status is SagaStatus.COMPENSATING
    assert [type(c.payload) for c in undo.commands] == [ReleaseInventory]


def test_a_partial_order_is_reviewed_on_what_will_be_charged(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    """3000 asked, 1250 reserved, threshold 2000: no review, the charge goes out."""
    first = started({**order, "allow_partial": True}, new_id, SAGA_REVIEW_THRESHOLD_CENTS="2000")
    ids = sent_to(first)
    state = answer(first.state, PARTLY, ids["reserve_inventory"], new_id).state
    moved = answer(state, SCREENED, ids["screen_fraud"], new_id)

    assert [type(c.payload) for c in moved.commands] == [ChargePayment]


def test_version_1_refuses_an_order_that_allows_a_partial_reservation(
    order: dict[str, Any],
) -> None:
    assert CHECKOUT_V1.admission is not None
    refused = CHECKOUT_V1.admission.admit(
        Order.model_validate({**order, "allow_partial": True}), context()
    )

    assert isinstance(refused, Refused)
    assert refused.reason.startswith("allow_partial: checkout version 1 reserves all or nothing")


@pytest.mark.parametrize("value", ["yes", 1, "true", None])
def test_allow_partial_must_be_a_boolean(order: dict[str, Any], value: object) -> None:
    with pytest.raises(ValueError, match="allow_partial"):
        Order.model_validate({**order, "allow_partial": value})


def test_the_history_of_the_happy_path_is_the_one_real_workers_record(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    first = started(order, new_id)
    ids = sent_to(first)
    reserved = answer(first.state, RESERVED, ids["reserve_inventory"], new_id)
    screened = answer(reserved.state, SCREENED, ids["screen_fraud"], new_id)
    charged = answer(
        screened.state,
        PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR"),
        screened.commands[0].message_id,
        new_id,
    )
    done = answer(charged.state, SHIPPED, charged.commands[0].message_id, new_id)

    steps = (first, reserved, screened, charged, done)
    assert [e.kind for t in steps for e in t.history] == list(HAPPY_PATH_KINDS_V2)


def test_a_partial_orders_summary_shows_what_was_reserved(
    order: dict[str, Any], new_id: Callable[[], str]
) -> None:
    first = started({**order, "allow_partial": True}, new_id)
    assert CHECKOUT_V2.summary(first.state.data)["total"] == "30.00 EUR"  # not answered yet

    moved = answer(first.state, PARTLY, sent_to(first)["reserve_inventory"], new_id)

    assert CHECKOUT_V2.summary(moved.state.data) == {"customer": "cus-1", "total": "12.50 EUR"}
