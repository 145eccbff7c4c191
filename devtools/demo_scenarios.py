"""The demo's sample orders and returns: one scenario for every path of the checkout and
the returns sagas, each with the outcome it must reach (devtools/demo.py runs them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

STOCK = {"BOOK-42": 20, "MUG-7": 5, "POSTER-3": 2}
CUSTOMER_ID = f"cust-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Scenario:
    title: str
    expected: str
    expected_code: str | None = None  # the failure code that must explain the outcome
    token: str = "tok_visa"
    country: str = "FR"
    items: tuple[tuple[str, int, int], ...] = (("BOOK-42", 2, 1999), ("MUG-7", 1, 850))
    review: str | None = None  # "approve" or "reject": a reviewer's decision on a big order
    allow_partial: bool = False


BIG = (("BOOK-42", 1, 250_000),)  # above SAGA_REVIEW_THRESHOLD_CENTS (1,000.00 by default)

REFUNDS_REFUSED_CARD = Scenario(
    "A card whose refunds the network refuses: completed (its return is refused below)",
    "completed",
    token="tok_refund_fails",
    items=(("MUG-7", 1, 850),),
)

SCENARIOS = (
    Scenario("Happy path: reserve, charge, ship, confirm", "completed"),
    Scenario(
        "Card network timeout: outcome unknown, asked until known, charged once",
        "completed",
        token="tok_timeout",
        items=(("BOOK-42", 1, 1999),),
    ),
    Scenario(
        "Big order, reviewer approves: then charged", "completed", items=BIG, review="approve"
    ),
    Scenario(
        "Big order, reviewer rejects: stock released",
        "compensated",
        "rejected",
        items=BIG,
        review="reject",
    ),
    Scenario(
        "Out of stock: nothing charged", "compensated", "out_of_stock", items=(("MUG-7", 50, 850),)
    ),
    Scenario("Declined card: stock released", "compensated", "card_declined", token="tok_declined"),
    Scenario(
        "Refused destination: refund, then release",
        "compensated",
        "destination_refused",
        country="ZZ",
    ),
    REFUNDS_REFUSED_CARD,
    Scenario(
        "Partial order: 3 posters asked, 2 in stock: charged and shipped for 2, 1 left out",
        "completed",
        items=(("BOOK-42", 1, 1999), ("POSTER-3", 3, 1200)),
        allow_partial=True,
    ),
    Scenario(
        "Fraud suspected: screened while the stock is reserved, stock released, no charge",
        "compensated",
        "fraud_rejected",
        token="tok_fraud",
    ),
    Scenario(
        "Refund refused by the card network: failed, needs an operator",
        "failed",
        "destination_refused",
        token="tok_refund_fails",
        country="ZZ",
        items=(("BOOK-42", 1, 1999),),
    ),
)


@dataclass(frozen=True)
class ReturnScenario:
    title: str
    order: int  # which scenario's order is returned (index in SCENARIOS)
    lines: tuple[tuple[str, int], ...]
    expected: str  # completed, compensated, or "refused": nothing starts
    expected_code: str | None = None


# the email reactor's kinds of email for a return's outcome (reactor.email.sent_emails)
RETURN_EMAILS = frozenset({"return_refund", "return_rejected"})

RETURN_SCENARIOS = (  # the orders of SCENARIOS they return, by index
    ReturnScenario(
        "Partial return: label and refund together, then restock", 0, (("BOOK-42", 1),), "completed"
    ),
    ReturnScenario(
        "The same book again, and one more than was bought: refused, nothing starts",
        0,
        (("BOOK-42", 2),),
        "refused",
    ),
    ReturnScenario(
        "Refund refused by the card network: the label is voided",
        SCENARIOS.index(REFUNDS_REFUSED_CARD),
        (("MUG-7", 1),),
        "compensated",
        "processor_error",
    ),
)


def order_for(scenario: Scenario, run: str, number: int) -> dict[str, Any]:
    return {
        "order_id": f"demo-{run}-{number}",
        "customer": {"id": CUSTOMER_ID, "email": "grace@example.com", "name": "Grace Hopper"},
        "items": [
            {"sku": sku, "quantity": qty, "unit_price_cents": price}
            for sku, qty, price in scenario.items
        ],
        "currency": "EUR",
        "payment_token": scenario.token,
        "allow_partial": scenario.allow_partial,
        "shipping_address": {
            "name": "Grace Hopper",
            "line1": "1 Navy Yard",
            "city": "Arlington",
            "postal_code": "22202",
            "country": scenario.country,
        },
    }


def return_input(scenario: ReturnScenario, run: str, number: int, order_id: str) -> dict[str, Any]:
    return {
        "return_id": f"ret-{run}-{number}",
        "order_id": order_id,
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in scenario.lines],
        "reason": "the demo changed its mind",
    }
