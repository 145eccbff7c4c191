"""The returns saga through the pure engine: the label and the refund together, in either
order of their replies, then the restock; a refused refund voids the label; a refused
label after the refund went through keeps the refund and says so."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import permutations
from typing import Any

import pytest

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryRestocked, StockLine
from messaging.contracts.payment import PaymentRefunded, PaymentRefundFailed, RefundPayment
from messaging.contracts.saga_status import SagaStatus
from messaging.contracts.shipping import (
    CreateReturnLabel,
    ReturnLabelCreated,
    ReturnLabelRefused,
    ReturnLabelVoided,
    VoidReturnLabel,
)
from orchestrator import engine
from orchestrator.engine import SagaState, Transition
from sagas.returns.definition import RETURNS_SAGA
from sagas.returns.events import ReturnCompleted, ReturnRejected

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DATA: dict[str, Any] = {
    "return": {"return_id": "ret-1", "order_id": "ord-1", "lines": [], "reason": "too big"},
    "lines": [{"sku": "MUG", "quantity": 2, "unit_price_cents": 1250}],
    "refund_cents": 2500,
    "currency": "EUR",
    "customer": {"id": "c-1", "email": "ada@example.com", "name": "Ada"},
    "address": {
        "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB",
    },
    "payment_id": "pay_1",
}  # fmt: skip

LABELLED = ReturnLabelCreated(
    return_id="ret-1", order_id="ord-1", label_id="lbl-1", carrier="fake", tracking_number="T1"
)
LABEL_REFUSED = ReturnLabelRefused(
    return_id="ret-1", order_id="ord-1", code="return_refused", reason="no pickup there"
)
REFUNDED = PaymentRefunded(
    order_id="ord-1", payment_id="pay_1", refund_id="re-1", amount_cents=2500
)
REFUND_FAILED = PaymentRefundFailed(
    order_id="ord-1", payment_id="pay_1", code="processor_error", reason="refused"
)
RESTOCKED = InventoryRestocked(
    return_id="ret-1", order_id="ord-1", items=[StockLine(sku="MUG", quantity=2)]
)
VOIDED = ReturnLabelVoided(return_id="ret-1", order_id="ord-1", label_id="lbl-1")


@pytest.fixture
def new_id() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"cmd-{next(counter)}"


def started(new_id: Callable[[], str]) -> Transition:
    return engine.start(RETURNS_SAGA, DATA, new_id, NOW)


def sent_to(transition: Transition) -> dict[str, str]:
    """step -> message id of each command the transition sends."""
    return {c.step: c.message_id for c in transition.commands}


def answer(state: SagaState, payload: Payload, to: str, new_id: Callable[[], str]) -> Transition:
    result = engine.on_reply(
        RETURNS_SAGA, state, payload.message_type, to, payload, new_id=new_id, now=NOW
    )
    assert isinstance(result, Transition), result
    return result


def test_the_label_and_the_refund_go_out_together():
    first = started(lambda: "x")
    assert [c.payload.message_type for c in first.commands] == [
        CreateReturnLabel.message_type,
        RefundPayment.message_type,
    ]
    refund = first.commands[1].payload
    assert isinstance(refund, RefundPayment)
    assert (refund.amount_cents, refund.reference) == (2500, "return:ret-1")


@pytest.mark.parametrize("order", list(permutations(["label", "refund"])))
def test_both_replies_in_either_order_then_restock_then_completed(
    order: tuple[str, ...], new_id: Callable[[], str]
):
    first = started(new_id)
    ids = sent_to(first)
    replies = {"label": ("create_return_label", LABELLED), "refund": ("refund_payment", REFUNDED)}
    state = first.state
    for name in order:
        step, payload = replies[name]
        moved = answer(state, payload, ids[step], new_id)
        state = moved.state
    assert [c.step for c in moved.commands] == ["restock_inventory"]
    done = answer(state, RESTOCKED, moved.commands[0].message_id, new_id)
    assert done.state.status is SagaStatus.COMPLETED
    (event,) = done.events
    assert isinstance(event, ReturnCompleted)
    assert (event.refund_cents, event.refund_id, event.tracking_number) == (2500, "re-1", "T1")


@pytest.mark.parametrize("refund_first", [True, False])
def test_a_refused_refund_voids_the_label(refund_first: bool, new_id: Callable[[], str]):
    first = started(new_id)
    ids = sent_to(first)
    state = first.state
    if refund_first:
        waiting = answer(state, REFUND_FAILED, ids["refund_payment"], new_id)
        assert waiting.commands == ()  # the label is still in flight: nothing undone yet
        undo = answer(waiting.state, LABELLED, ids["create_return_label"], new_id)
    else:
        state = answer(state, LABELLED, ids["create_return_label"], new_id).state
        undo = answer(state, REFUND_FAILED, ids["refund_payment"], new_id)
    (void,) = undo.commands
    assert isinstance(void.payload, VoidReturnLabel) and void.payload.label_id == "lbl-1"
    ended = answer(undo.state, VOIDED, void.message_id, new_id)
    assert ended.state.status is SagaStatus.COMPENSATED
    (event,) = ended.events
    assert isinstance(event, ReturnRejected)
    assert (event.code, event.refund_cents) == ("processor_error", 0)


def test_a_refused_label_after_the_refund_keeps_the_refund_and_says_so(
    new_id: Callable[[], str],
):
    first = started(new_id)
    ids = sent_to(first)
    state = answer(first.state, REFUNDED, ids["refund_payment"], new_id).state
    ended = answer(state, LABEL_REFUSED, ids["create_return_label"], new_id)
    assert ended.commands == ()  # a refund cannot be undone: nothing to send
    assert ended.state.status is SagaStatus.COMPENSATED
    (event,) = ended.events
    assert isinstance(event, ReturnRejected)
    assert (event.code, event.refund_cents) == ("return_refused", 2500)
