"""The checkout saga's replies and the states it passes through on its way, for the unit
tests that drive it through the pure engine (the order is tests/unit/conftest.py's)."""

from __future__ import annotations

from typing import Any

from messaging.contracts import Payload
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.contracts.orders import Customer, OrderItem
from messaging.contracts.payment import PaymentCharged
from orchestrator import engine
from orchestrator.engine import SagaState, Transition
from sagas.checkout.events import OrderCancelled
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.saga_builders import IdFactory, applied

STOCK_LINES = [StockLine(sku="SKU-1", quantity=2), StockLine(sku="SKU-2", quantity=1)]


def apply(
    state: SagaState, reply: Payload, causation_id: str | None, new_id: IdFactory
) -> Transition:
    return applied(CHECKOUT, state, reply, causation_id, new_id)


def reserved() -> InventoryReserved:
    return InventoryReserved(order_id="ord-1", reservation_id="res-1", items=STOCK_LINES)


def charged() -> PaymentCharged:
    return PaymentCharged(order_id="ord-1", payment_id="pay-1", amount_cents=3000, currency="EUR")


def customer(order: dict[str, Any]) -> Customer:
    return Customer.model_validate(order["customer"])


def items(order: dict[str, Any]) -> list[OrderItem]:
    return [OrderItem.model_validate(item) for item in order["items"]]


def started(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return engine.start(CHECKOUT, {"order": order}, new_id)


def after_reserve(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return apply(started(order, new_id).state, reserved(), "cmd-1", new_id)


def after_charge(order: dict[str, Any], new_id: IdFactory) -> Transition:
    return apply(after_reserve(order, new_id).state, charged(), "cmd-2", new_id)


def cancelled(order: dict[str, Any], code: str, reason: str) -> OrderCancelled:
    """The event of a checkout of ``order`` (30.00 EUR) that was undone for ``code``."""
    return OrderCancelled(
        order_id="ord-1",
        customer=customer(order),
        items=items(order),
        total_cents=3000,
        currency="EUR",
        code=code,
        reason=reason,
    )
