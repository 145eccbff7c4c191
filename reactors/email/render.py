"""The emails we send, as plain text. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.contracts.orders import OrderItem
from sagas.checkout.events import OrderCancelled, OrderConfirmed


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency}"


def _lines(items: list[OrderItem], currency: str) -> list[str]:
    return [
        f"  {item.quantity} x {item.sku} at {_money(item.unit_price_cents, currency)}"
        for item in items
    ]


def confirmation(event: OrderConfirmed) -> Email:
    body = [
        f"Hello {event.customer.name},",
        "",
        f"Thank you for your order {event.order_id}. It is confirmed and on its way.",
        "",
        *_lines(event.items, event.currency),
        f"  Total charged: {_money(event.total_cents, event.currency)}",
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
