"""Keeps the customer record current and appends the order to the customer's history."""

from __future__ import annotations

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.reactors import EventHandler
from reactors.crm import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed


def build() -> EventHandler:
    return handle


def handle(conn: Connection, message: Message[Payload]) -> None:
    event = message.payload
    if isinstance(event, OrderConfirmed):
        spent, orders, note = event.total_cents, 1, f"confirmed, tracking {event.tracking_number}"
    elif isinstance(event, OrderCancelled):
        spent, orders, note = 0, 0, f"cancelled: {event.reason}"[:500]
    else:
        raise TypeError(f"crm does not handle {message.type}")
    at = message.envelope.occurred_at
    customer = event.customer
    store.upsert_customer(conn, customer.id, str(customer.email), customer.name, at, spent, orders)
    store.append(
        conn,
        event_id=message.envelope.message_id,
        customer_id=customer.id,
        order_id=event.order_id,
        event=message.type,
        total_cents=event.total_cents,
        currency=event.currency,
        note=note,
        at=at,
    )
