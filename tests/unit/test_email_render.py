"""The email reactor's emails, as rendered from the events (no SMTP, no store)."""

from __future__ import annotations

from typing import Any

from messaging.contracts.orders import Customer, OrderItem
from reactors.email import render
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected

ADA = Customer(id="cus-1", email="ada@example.com", name="Ada Lovelace")
# 2 x 5.00 + 1 x 2.34 = 12.34 EUR
LINES = [
    ReturnedLine(sku="SKU-1", quantity=2, unit_price_cents=500),
    ReturnedLine(sku="SKU-2", quantity=1, unit_price_cents=234),
]
ITEMS = [OrderItem(sku="SKU-1", quantity=2, unit_price_cents=500)]


def completed(**changes: Any) -> ReturnCompleted:
    fields: dict[str, Any] = {
        "return_id": "RET-1",
        "order_id": "ORD-1",
        "customer": ADA,
        "lines": LINES,
        "refund_cents": 1234,
        "currency": "EUR",
        "refund_id": "ref-1",
        "tracking_number": "RL0042",
        "reason": "too small",
    }
    return ReturnCompleted(**{**fields, **changes})


def rejected(**changes: Any) -> ReturnRejected:
    fields: dict[str, Any] = {
        "return_id": "RET-1",
        "order_id": "ORD-1",
        "customer": ADA,
        "lines": LINES,
        "refund_cents": 0,
        "currency": "EUR",
        "code": "pickup_refused",
        "reason": "no carrier collects from that address",
    }
    return ReturnRejected(**{**fields, **changes})


def test_a_completed_return_tells_the_refund_the_lines_and_the_labels_tracking_number():
    email = render.return_refund(completed())

    assert email.to == "ada@example.com"
    assert email.subject == "Your refund for order ORD-1 is on its way"
    assert email.body == "\n".join(
        [
            "Hello Ada Lovelace,",
            "",
            "We have accepted your return RET-1 for order ORD-1:",
            "your refund of 12.34 EUR is on its way.",
            "",
            "  2 x SKU-1 at 5.00 EUR",
            "  1 x SKU-2 at 2.34 EUR",
            "  Refund: 12.34 EUR",
            "",
            "Return label tracking number: RL0042",
        ]
    )


def test_refunds_are_formatted_with_thousands_and_the_currency():
    email = render.return_refund(completed(refund_cents=123_456, currency="USD"))

    assert "your refund of 1,234.56 USD is on its way." in email.body
    assert "  2 x SKU-1 at 5.00 USD" in email.body


def test_a_rejected_return_says_why_and_that_nothing_was_refunded():
    email = render.return_rejected(rejected())

    assert email.to == "ada@example.com"
    assert email.subject == "We could not process your return for order ORD-1"
    assert "we could not process your return RET-1 for order ORD-1." in email.body
    assert "Reason: no carrier collects from that address" in email.body
    assert "  1 x SKU-2 at 2.34 EUR" in email.body
    assert email.body.endswith("\nNothing was refunded.")
    assert "anyway" not in email.body


def test_a_rejected_return_whose_refund_went_through_says_it_was_refunded_anyway():
    email = render.return_rejected(rejected(refund_cents=1234))

    assert email.body.endswith("\n12.34 EUR was refunded to you anyway.")
    assert "Nothing was refunded" not in email.body


def test_order_emails_still_list_the_items_and_the_total():
    confirmed = OrderConfirmed(
        order_id="ORD-1",
        customer=ADA,
        items=ITEMS,
        total_cents=1000,
        currency="EUR",
        payment_id="pay-1",
        shipment_id="shp-1",
        tracking_number="FP1",
    )
    cancelled = OrderCancelled(
        order_id="ORD-1",
        customer=ADA,
        items=ITEMS,
        total_cents=1000,
        currency="EUR",
        code="card_declined",
        reason="declined",
    )

    confirmation = render.confirmation(confirmed)
    cancellation = render.cancellation(cancelled)

    assert confirmation.subject == "Your order ORD-1 is confirmed"
    assert "  2 x SKU-1 at 5.00 EUR\n  Total charged: 10.00 EUR" in confirmation.body
    assert "Tracking number: FP1" in confirmation.body
    assert cancellation.subject == "Your order ORD-1 was cancelled"
    assert "Reason: declined" in cancellation.body
    assert "  2 x SKU-1 at 5.00 EUR" in cancellation.body
