"""Domain events the orchestrator publishes when a checkout ends."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from pydantic import Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import CurrencyCode, Customer, Identifier, OrderItem


def _confirmed_one_to_two(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "left_out": [], "carrier": None}


def _confirmed_two_to_one(data: dict[str, Any]) -> dict[str, Any]:
    """``items`` and ``total_cents`` already say what was shipped and charged."""
    return {key: value for key, value in data.items() if key not in ("left_out", "carrier")}


class OrderConfirmed(Payload):
    """The order is charged and shipped. ``items`` and ``total_cents`` are what was
    shipped and charged; ``left_out`` the lines (or parts of lines) that were not, when
    the order allowed a partial reservation."""

    message_type = "OrderConfirmed"
    kind = MessageKind.EVENT
    schema_version = 2
    upcasters = MappingProxyType({1: _confirmed_one_to_two})
    downcasters = MappingProxyType({1: _confirmed_two_to_one})
    changes = MappingProxyType(
        {
            2: "adds left_out (what a partial reservation could not serve; empty when "
            "absent) and carrier (null when absent)"
        }
    )

    order_id: Identifier
    customer: Customer
    items: list[OrderItem]
    total_cents: int
    currency: CurrencyCode
    payment_id: str
    shipment_id: str
    tracking_number: str
    left_out: list[OrderItem] = Field(default_factory=list)
    carrier: str | None = None


class OrderCancelled(Payload):
    message_type = "OrderCancelled"
    kind = MessageKind.EVENT

    order_id: Identifier
    customer: Customer
    items: list[OrderItem]
    total_cents: int
    currency: CurrencyCode
    code: str
    reason: str


MESSAGES: tuple[type[Payload], ...] = (OrderConfirmed, OrderCancelled)
