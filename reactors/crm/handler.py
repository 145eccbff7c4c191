"""Keeps the customer record current and appends each finished order or return to the
customer's history. A refund lowers the customer's lifetime value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.money import format_money
from messaging.reactors import EventEntry, EventHandlers
from reactors.crm import store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected

E = TypeVar("E", OrderConfirmed, OrderCancelled, ReturnCompleted, ReturnRejected)


@dataclass(frozen=True)
class Entry:
    spent: int  # added to the lifetime value: an order's total, minus a refund
    orders: int
    amount: int  # the history row's total_cents: the order's total, or the refund
    note: str


def build() -> EventHandlers:
    return EventHandlers("crm", {cls: recording(entry_of) for cls, entry_of in ENTRIES.items()})


def _confirmed(event: OrderConfirmed) -> Entry:
    total = event.total_cents
    return Entry(total, 1, total, f"confirmed, tracking {event.tracking_number}")


def _cancelled(event: OrderCancelled) -> Entry:
    return Entry(0, 0, event.total_cents, f"cancelled: {event.reason}")


def _returned(event: ReturnCompleted) -> Entry:
    """A refund lowers the lifetime value, whether or not the return went through."""
    refund = format_money(event.refund_cents, event.currency)
    note = f"returned {_units(event.lines)}, refund {refund} (return {event.return_id})"
    return Entry(-event.refund_cents, 0, event.refund_cents, note)


def _rejected(event: ReturnRejected) -> Entry:
    note = f"return {event.return_id} rejected: {event.reason}"
    if event.refund_cents > 0:  # the refund went through before the return failed
        note = f"refunded {format_money(event.refund_cents, event.currency)} anyway; {note}"
    return Entry(-event.refund_cents, 0, event.refund_cents, note)


def _units(lines: list[ReturnedLine]) -> str:
    units = sum(line.quantity for line in lines)
    return "1 unit" if units == 1 else f"{units} units"


# What each event adds to the customer's history: one function per event type.
ENTRIES: dict[type[Payload], Callable[[Any], Entry]] = {
    OrderConfirmed: _confirmed,
    OrderCancelled: _cancelled,
    ReturnCompleted: _returned,
    ReturnRejected: _rejected,
}


def recording(entry_of: Callable[[E], Entry]) -> EventEntry:
    """The handler of one event type: the customer upserted, ``entry_of`` its history row."""

    def handle(conn: Connection, message: Message[E]) -> None:
        event = message.payload
        entry = entry_of(event)
        at = message.envelope.occurred_at
        customer = event.customer
        store.upsert_customer(
            conn,
            customer.id,
            email=str(customer.email),
            name=customer.name,
            at=at,
            spent=entry.spent,
            order=entry.orders,
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

    return handle
