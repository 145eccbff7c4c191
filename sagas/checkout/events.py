"""Domain events the orchestrator publishes when a checkout ends."""

from __future__ import annotations

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import CurrencyCode, Customer, Identifier, OrderItem


class OrderConfirmed(Payload):
    message_type = "OrderConfirmed"
    kind = MessageKind.EVENT

    order_id: Identifier
    customer: Customer
    items: list[OrderItem]
    total_cents: int
    currency: CurrencyCode
    payment_id: str
    shipment_id: str
    tracking_number: str


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
