"""Records the fact of each finished order and counts it in its day (UTC)."""

from __future__ import annotations

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.reactors import EventHandler
from reactors.analytics import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed


def build() -> EventHandler:
    return handle


def handle(conn: Connection, message: Message[Payload]) -> None:
    event = message.payload
    if not isinstance(event, OrderConfirmed | OrderCancelled):
        raise TypeError(f"analytics does not handle {message.type}")
    confirmed = isinstance(event, OrderConfirmed)
    occurred = message.envelope.occurred_at
    store.add_fact(
        conn,
        event_id=message.envelope.message_id,
        order_id=event.order_id,
        outcome="confirmed" if confirmed else "cancelled",
        day=occurred.date(),
        currency=event.currency,
        total_cents=event.total_cents if confirmed else 0,
        units=sum(item.quantity for item in event.items),
        occurred_at=occurred,
    )
    revenue = event.total_cents if confirmed else 0
    store.count_in_day(conn, occurred.date(), event.currency, revenue, confirmed)
