"""A fake fraud scorer, for development and tests (we do not own the real one).

Deterministic: the score is the sum of the points of the rules that fire, at most 100.

    payment token tok_fraud             +99  the test token for fraud: always rejected
    amount of 5,000.00 or more          +40  in any currency (500,000 cents)
    destination country XF or XR        +50  high-risk test codes (ISO 3166 user-assigned
                                             codes: never a real country)

With the default threshold of 80: an order of 5,000.00 or more passes (40), so does one
to XF (50), both together are rejected (90), and tok_fraud is rejected whatever else.
Nothing fires: score 0.
"""

from __future__ import annotations

from participants.fraud.rules import MAX_SCORE, Assessment, Order

FRAUD_TOKEN = "tok_fraud"
LARGE_AMOUNT_CENTS = 500_000
HIGH_RISK_COUNTRIES = frozenset({"XF", "XR"})

TOKEN_POINTS = 99
AMOUNT_POINTS = 40
COUNTRY_POINTS = 50


class FakeScorer:
    name = "fake-risk"

    def score(self, order: Order) -> Assessment:
        fired: list[tuple[int, str]] = []
        if order.payment_token == FRAUD_TOKEN:
            fired.append((TOKEN_POINTS, f"payment token {FRAUD_TOKEN} (+{TOKEN_POINTS})"))
        if order.amount_cents >= LARGE_AMOUNT_CENTS:
            fired.append((AMOUNT_POINTS, f"amount of 5,000.00 or more (+{AMOUNT_POINTS})"))
        if order.country in HIGH_RISK_COUNTRIES:
            fired.append(
                (COUNTRY_POINTS, f"high-risk destination {order.country} (+{COUNTRY_POINTS})")
            )
        score = min(MAX_SCORE, sum(points for points, _ in fired))
        return Assessment(score, tuple(reason for _, reason in fired))
