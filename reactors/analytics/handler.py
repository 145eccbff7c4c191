"""Records the fact of each finished order or return and counts it in its day (UTC)."""

from __future__ import annotations

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.reactors import EventHandlers
from reactors.analytics import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnRejected


def build() -> EventHandlers:
    return EventHandlers(
        "analytics",
        {
            OrderConfirmed: confirmed,
            OrderCancelled: cancelled,
            ReturnCompleted: return_completed,
            ReturnRejected: return_rejected,
        },
    )


def confirmed(conn: Connection, message: Message[OrderConfirmed]) -> None:
    _order(conn, message, outcome="confirmed", revenue=message.payload.total_cents)


def cancelled(conn: Connection, message: Message[OrderCancelled]) -> None:
    _order(conn, message, outcome="cancelled", revenue=0)


def return_completed(conn: Connection, message: Message[ReturnCompleted]) -> None:
    """A completed return is a refund."""
    _return(conn, message, outcome="completed", refunds=1)


def return_rejected(conn: Connection, message: Message[ReturnRejected]) -> None:
    """A rejected return counts as rejected, and as a refund too if its refund went
    through anyway (``refund_cents`` > 0)."""
    refunds = 1 if message.payload.refund_cents > 0 else 0
    _return(conn, message, outcome="rejected", refunds=refunds)


def _order(
    conn: Connection,
    message: Message[OrderConfirmed] | Message[OrderCancelled],
    *,
    outcome: str,
    revenue: int,
) -> None:
    event, occurred = message.payload, message.envelope.occurred_at
    store.add_fact(
        conn,
        event_id=message.envelope.message_id,
        order_id=event.order_id,
        outcome=outcome,
        day=occurred.date(),
        currency=event.currency,
        total_cents=revenue,
        units=sum(item.quantity for item in event.items),
        occurred_at=occurred,
    )
    store.count_in_day(
        conn, occurred.date(), event.currency, revenue=revenue, confirmed=outcome == "confirmed"
    )


def _return(
    conn: Connection,
    message: Message[ReturnCompleted] | Message[ReturnRejected],
    *,
    outcome: str,
    refunds: int,
) -> None:
    event, occurred = message.payload, message.envelope.occurred_at
    store.add_return_fact(
        conn,
        event_id=message.envelope.message_id,
        return_id=event.return_id,
        order_id=event.order_id,
        outcome=outcome,
        day=occurred.date(),
        currency=event.currency,
        refund_cents=event.refund_cents,
        units=sum(line.quantity for line in event.lines),
        occurred_at=occurred,
    )
    store.count_refunds(
        conn,
        occurred.date(),
        currency=event.currency,
        refunds=refunds,
        refunded_cents=event.refund_cents,  # never negative: the event's schema says so
        rejected=0 if outcome == "completed" else 1,
    )
