"""Keeps the customer record current and appends each finished order or return to the
customer's history. A refund lowers the customer's lifetime value."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.reactors import EventHandler
from reactors.crm import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected


@dataclass(frozen=True)
class Entry:
    spent: int  # added to the lifetime value: an order's total, minus a refund
    orders: int
    amount: int  # the history row's total_cents: the order's total, or the refund
    note: str


def build() -> EventHandler:
    return handle


def handle(conn: Connection, message: Message[Payload]) -> None:
    event = message.payload
    if isinstance(event, OrderConfirmed):
        total = event.total_cents
        entry = Entry(total, 1, total, f"confirmed, tracking {event.tracking_number}")
    elif isinstance(event, OrderCancelled):
        entry = Entry(0, 0, event.total_cents, f"cancelled: {event.reason}")
    elif isinstance(event, ReturnCompleted | ReturnRejected):
        # a refund lowers the lifetime value, whether or not the return went through
        entry = Entry(-event.refund_cents, 0, event.refund_cents, _return_note(event))
    else:
        raise TypeError(f"crm does not handle {message.type}")
    at = message.envelope.occurred_at
    customer = event.customer
    store.upsert_customer(
        conn, customer.id, str(customer.email), customer.name, at, entry.spent, entry.orders
    )
    store.append(
        conn,
        event_id=message.envelope.message_id,
        customer_id=customer.id,
        order_id=event.order_id,
        event=message.type,
        total_cents=entry.amount,
        currency=event.currency,
        note=entry.note[:500],
        at=at,
    )


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency}"


def _units(lines: list[ReturnedLine]) -> str:
    units = sum(line.quantity for line in lines)
    return "1 unit" if units == 1 else f"{units} units"


def _return_note(event: ReturnCompleted | ReturnRejected) -> str:
    if isinstance(event, ReturnCompleted):
        refund = _money(event.refund_cents, event.currency)
        return f"returned {_units(event.lines)}, refund {refund} (return {event.return_id})"
    note = f"return {event.return_id} rejected: {event.reason}"
    if event.refund_cents > 0:  # the refund went through before the return failed
        note = f"refunded {_money(event.refund_cents, event.currency)} anyway; {note}"
    return note
