"""The emails we send, as plain text. No I/O here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from messaging.contracts.money import format_money
from messaging.contracts.orders import OrderItem
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def _lines(items: Iterable[OrderItem | ReturnedLine], currency: str) -> list[str]:
    return [
        f"  {item.quantity} x {item.sku} at {format_money(item.unit_price_cents, currency)}"
        for item in items
    ]


def confirmation(event: OrderConfirmed) -> Email:
    body = [
        f"Hello {event.customer.name},",
        "",
        f"Thank you for your order {event.order_id}. It is confirmed and on its way.",
        "",
        *_lines(event.items, event.currency),
        f"  Total charged: {format_money(event.total_cents, event.currency)}",
        "",
        f"Tracking number: {event.tracking_number}",
    ]
    return Email(event.customer.email, f"Your order {event.order_id} is confirmed", "\n".join(body))


def cancellation(event: OrderCancelled) -> Email:
    body = [
        f"Hello {event.customer.name},",
        "",
        f"We are sorry: your order {event.order_id} could not be completed and was cancelled.",
        f"Reason: {event.reason}",
        "",
        *_lines(event.items, event.currency),
        "",
        "Nothing was charged, or any charge has been refunded in full.",
    ]
    return Email(
        event.customer.email, f"Your order {event.order_id} was cancelled", "\n".join(body)
    )


def return_refund(event: ReturnCompleted) -> Email:
    refund = format_money(event.refund_cents, event.currency)
    body = [
        f"Hello {event.customer.name},",
        "",
        f"We have accepted your return {event.return_id} for order {event.order_id}:",
        f"your refund of {refund} is on its way.",
        "",
        *_lines(event.lines, event.currency),
        f"  Refund: {refund}",
        "",
        f"Return label tracking number: {event.tracking_number}",
    ]
    return Email(
        event.customer.email,
        f"Your refund for order {event.order_id} is on its way",
        "\n".join(body),
    )


def return_rejected(event: ReturnRejected) -> Email:
    if event.refund_cents > 0:
        refunded = f"{format_money(event.refund_cents, event.currency)} was refunded to you anyway."
    else:
        refunded = "Nothing was refunded."
    body = [
        f"Hello {event.customer.name},",
        "",
        f"We are sorry: we could not process your return {event.return_id}"
        f" for order {event.order_id}.",
        f"Reason: {event.reason}",
        "",
        *_lines(event.lines, event.currency),
        "",
        refunded,
    ]
    return Email(
        event.customer.email,
        f"We could not process your return for order {event.order_id}",
        "\n".join(body),
    )
