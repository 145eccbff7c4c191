"""Records the fact of each finished order or return and counts it in its day (UTC)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.reactors import EventHandlers
from reactors.analytics import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnRejected

OrderMessage = Message[OrderConfirmed] | Message[OrderCancelled]
ReturnMessage = Message[ReturnCompleted] | Message[ReturnRejected]


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


def _order(conn: Connection, message: OrderMessage, outcome: str, revenue: int) -> None:
    event = message.payload
    fact = _fact(message, outcome, units=sum(item.quantity for item in event.items))
    store.add_fact(conn, **fact, total_cents=revenue)
    store.count_in_day(
        conn, fact["day"], event.currency, revenue=revenue, confirmed=outcome == "confirmed"
    )


def _return(conn: Connection, message: ReturnMessage, outcome: str, refunds: int) -> None:
    """``refunds``: how many refunds were paid out (1 or 0)."""
    event = message.payload
    fact = _fact(message, outcome, units=sum(line.quantity for line in event.lines))
    store.add_return_fact(conn, **fact, return_id=event.return_id, refund_cents=event.refund_cents)
    store.count_refunds(
        conn,
        fact["day"],
        currency=event.currency,
        refunds=refunds,
        refunded_cents=event.refund_cents,  # never negative: the event's schema says so
        rejected=0 if outcome == "completed" else 1,
    )


def _fact(message: OrderMessage | ReturnMessage, outcome: str, units: int) -> dict[str, Any]:
    """The columns an order's fact and a return's fact share."""
    occurred = message.envelope.occurred_at
    return {
        "event_id": message.envelope.message_id,
        "order_id": message.payload.order_id,
        "outcome": outcome,
        "day": occurred.date(),
        "currency": message.payload.currency,
        "units": units,
        "occurred_at": occurred,
    }
