"""Sagas the sagactl tests share, as get_saga answers them: one at charge_payment (the
writes, the deadlines), and a checkout order above the review threshold (the review); and
what a write on a saga sends and prints."""

from __future__ import annotations

from typing import Any

from messaging.contracts.read_models import SagaView
from tests.unit.sagactl_stand_in import SAGA_ID, saga_view

REVIEW_DEADLINE = "2026-11-23T03:26:24.300000+00:00"


def at_charge_payment(state: str, **fields: Any) -> dict[str, Any]:
    """A get_saga answer: at charge_payment, first attempt."""
    return saga_view(state=state, **{"current_step": "charge_payment", "attempt": 1, **fields})


def order_of_items(*items: tuple[int, int], currency: str = "EUR") -> dict[str, Any]:
    """An order of ``(quantity, unit price in cents)`` items."""
    return {
        "order_id": "ord-1",
        "currency": currency,
        "items": [
            {"sku": f"SKU-{i}", "quantity": quantity, "unit_price_cents": price}
            for i, (quantity, price) in enumerate(items, 1)
        ],
    }


def reviewed_saga(state: str, **fields: Any) -> SagaView:
    """A saga of 1,500.00 EUR at charge_payment, above the review threshold."""
    data = {"order": order_of_items((1, 150000)), "review_threshold_cents": 100000}
    summary = {"customer": "cus-1", "total": "1,500.00 EUR"}
    found = {"current_step": "charge_payment", "data": data, "summary": summary, "version": 3}
    return SagaView.model_validate(saga_view(state=state, **{**found, **fields}))


def awaiting_approval(**fields: Any) -> SagaView:
    """``reviewed_saga`` awaiting approval until REVIEW_DEADLINE."""
    return reviewed_saga("awaiting_approval", deadline=REVIEW_DEADLINE, **fields)


def as_answer(saga: SagaView) -> dict[str, Any]:
    """``saga`` as get_saga answers it."""
    return saga.model_dump(mode="json")


def found_by_key_then_sent(
    task: str, key: str = "ord-1", **kwargs: Any
) -> list[tuple[str, dict[str, Any], float | None]]:
    """What a write on the saga of ``key`` sends (as ``sent_tasks`` lists it): get_saga asked
    for the key, a read that expires when sagactl stops waiting, then ``task`` on the saga
    found, a write that stays queued until a worker runs it."""
    return [
        ("orchestrator.get_saga", {"key": key}, 15.0),
        (task, {"saga_id": SAGA_ID, **kwargs}, None),
    ]


def write_printed(state: str, step: str, *more: str) -> list[str]:
    """The lines a write on checkout ord-1 (SAGA_ID) prints: the saga, its key, its state and
    step now, then ``more``."""
    return [
        f"saga   {SAGA_ID}",
        "key    checkout ord-1",
        f"state  {state}",
        f"step   {step}",
        *more,
    ]
