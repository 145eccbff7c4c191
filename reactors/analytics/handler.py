"""Records the fact of each finished order or return and counts it in its day (UTC)."""

from __future__ import annotations

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Envelope, Payload
from messaging.reactors import EventHandler
from reactors.analytics import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnRejected


def build() -> EventHandler:
    return handle


def handle(conn: Connection, message: Message[Payload]) -> None:
    event = message.payload
    if isinstance(event, OrderConfirmed | OrderCancelled):
        _order(conn, message.envelope, event)
    elif isinstance(event, ReturnCompleted | ReturnRejected):
        _return(conn, message.envelope, event)
    else:
        raise TypeError(f"analytics does not handle {message.type}")


def _order(conn: Connection, envelope: Envelope, event: OrderConfirmed | OrderCancelled) -> None:
    confirmed = isinstance(event, OrderConfirmed)
    occurred = envelope.occurred_at
    store.add_fact(
        conn,
        event_id=envelope.message_id,
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


def _return(conn: Connection, envelope: Envelope, event: ReturnCompleted | ReturnRejected) -> None:
    """A completed return is a refund; a rejected one counts as rejected, and as a refund
    too if its refund went through anyway (``refund_cents`` > 0)."""
    completed = isinstance(event, ReturnCompleted)
    occurred = envelope.occurred_at
    store.add_return_fact(
        conn,
        event_id=envelope.message_id,
        return_id=event.return_id,
        order_id=event.order_id,
        outcome="completed" if completed else "rejected",
        day=occurred.date(),
        currency=event.currency,
        refund_cents=event.refund_cents,
        units=sum(line.quantity for line in event.lines),
        occurred_at=occurred,
    )
    refunded = event.refund_cents  # never negative: the event's schema says so
    store.count_refunds(
        conn,
        occurred.date(),
        event.currency,
        refunds=1 if completed or refunded > 0 else 0,
        refunded_cents=refunded,
        rejected=0 if completed else 1,
    )
