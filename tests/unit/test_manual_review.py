"""Orders at or above the review threshold wait for a human before the charge."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from messaging.contracts.inventory import InventoryReleased, InventoryReserved, StockLine
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.engine import Ignored, StepStatus, Transition
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from sagas.checkout.version_1 import REVIEW

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"cmd-{next(counter)}"


def big_order(order: dict[str, Any]) -> dict[str, Any]:
    return {"order": order, "review_threshold_cents": 1000}  # the order totals 3000


def reserved(state: engine.SagaState, ids: Any) -> Transition:
    reply = InventoryReserved(
        order_id="ord-1", reservation_id="res-1", items=[StockLine(sku="SKU-1", quantity=1)]
    )
    result = engine.on_reply(
        CHECKOUT, state, reply.message_type, state.awaiting, reply, new_id=ids, now=NOW
    )
    assert isinstance(result, Transition)
    return result


def test_big_order_waits_for_approval_before_the_charge(order, ids):
    started = engine.start(CHECKOUT, big_order(order), ids, NOW)
    waiting = reserved(started.state, ids)

    assert waiting.state.status is SagaStatus.AWAITING_APPROVAL
    assert waiting.state.steps[1] is StepStatus.AWAITING_APPROVAL
    assert waiting.commands == ()
    assert waiting.state.deadline == NOW + timedelta(seconds=REVIEW.timeout)

    approved = engine.decide(
        CHECKOUT, waiting.state, approved=True, reason="alice", new_id=ids, now=NOW
    )
    assert isinstance(approved, Transition)
    assert approved.state.status is SagaStatus.RUNNING
    assert [c.payload.message_type for c in approved.commands] == ["ChargePayment"]
    assert approved.history[0].kind == "approved"


def test_small_order_is_not_reviewed(order, ids):
    started = engine.start(CHECKOUT, {"order": order, "review_threshold_cents": 3001}, ids, NOW)
    nxt = reserved(started.state, ids)
    assert nxt.state.status is SagaStatus.RUNNING
    assert [c.payload.message_type for c in nxt.commands] == ["ChargePayment"]


@pytest.mark.parametrize(
    ("decide", "reason"),
    [
        (
            lambda s, ids: engine.decide(
                CHECKOUT, s, approved=False, reason="fraud check", new_id=ids, now=NOW
            ),
            "fraud check",
        ),
        (
            lambda s, ids: engine.on_deadline(CHECKOUT, s, ids, NOW + timedelta(days=2)),
            "no decision before the deadline",
        ),
        (lambda s, ids: engine.cancel(CHECKOUT, s, "customer called", ids, NOW), "customer called"),
    ],
    ids=["rejected", "no-decision", "cancelled"],
)
def test_rejection_releases_the_stock(order, ids, decide, reason):
    waiting = reserved(engine.start(CHECKOUT, big_order(order), ids, NOW).state, ids)

    rejected = decide(waiting.state, ids)

    assert isinstance(rejected, Transition)
    assert rejected.state.status is SagaStatus.COMPENSATING
    assert rejected.state.failure == {
        "step": "charge_payment",
        "code": "rejected",
        "reason": reason,
    }
    assert [c.payload.message_type for c in rejected.commands] == ["ReleaseInventory"]
    released = InventoryReleased(order_id="ord-1", reservation_id="res-1", items=[])
    done = engine.on_reply(
        CHECKOUT,
        rejected.state,
        released.message_type,
        rejected.state.awaiting,
        released,
        new_id=ids,
    )
    assert isinstance(done, Transition)
    assert done.state.status is SagaStatus.COMPENSATED
    assert [e.message_type for e in done.events] == ["OrderCancelled"]


def test_decision_on_a_saga_not_awaiting_approval_is_ignored(order, ids):
    started = engine.start(CHECKOUT, big_order(order), ids, NOW)
    result = engine.decide(
        CHECKOUT, started.state, approved=True, reason="alice", new_id=ids, now=NOW
    )
    assert result == Ignored("the saga is running, not awaiting approval")
    early = engine.on_deadline(CHECKOUT, reserved(started.state, ids).state, ids, NOW)
    assert isinstance(early, Ignored)
