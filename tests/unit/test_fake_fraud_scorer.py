"""The fake fraud scorer is deterministic: the test token ``tok_fraud`` scores 99, an amount
of 5,000.00 or more (any currency) adds 40, a high-risk test country (XF, XR) adds 50,
the sum is at most 100, and an order where nothing fires scores 0."""

from __future__ import annotations

import pytest

from messaging.contracts.fraud import ScreenOrder
from participants.fraud.rules import Assessment, Order, screen
from participants.fraud.scorer import HIGH_RISK_COUNTRIES, FakeScorer


def order(
    *,
    amount_cents: int = 2_500,
    country: str = "GB",
    token: str = "tok_visa",
    currency: str = "EUR",
) -> Order:
    return Order("ord-1", "cust-1", amount_cents, currency, country, token)


def test_a_clean_order_scores_0():
    assert FakeScorer().score(order()) == Assessment(0, ())


def test_the_fraud_test_token_scores_99_and_is_rejected():
    scored = FakeScorer().score(order(token="tok_fraud"))

    assert scored == Assessment(99, ("payment token tok_fraud (+99)",))
    assert screen(FakeScorer(), order(token="tok_fraud")).rejected


@pytest.mark.parametrize("currency", ["EUR", "USD", "JPY"])
def test_an_amount_of_5000_or_more_adds_40_in_any_currency(currency):
    scorer = FakeScorer()

    assert scorer.score(order(amount_cents=499_999, currency=currency)).score == 0
    assert scorer.score(order(amount_cents=500_000, currency=currency)) == Assessment(
        40, ("amount of 5,000.00 or more (+40)",)
    )


@pytest.mark.parametrize("country", sorted(HIGH_RISK_COUNTRIES))
def test_a_high_risk_test_country_adds_50(country):
    assert FakeScorer().score(order(country=country)) == Assessment(
        50, (f"high-risk destination {country} (+50)",)
    )


def test_the_high_risk_codes_are_valid_destinations_of_the_contract():
    for country in HIGH_RISK_COUNTRIES:
        ScreenOrder(
            order_id="ord-1",
            customer_id="cust-1",
            amount_cents=100,
            currency="EUR",
            country=country,
            payment_token="tok_visa",
        )


def test_amount_and_country_together_pass_the_default_threshold():
    verdict = screen(FakeScorer(), order(amount_cents=500_000, country="XF"))

    assert (verdict.score, verdict.rejected) == (90, True)
    assert verdict.reasons == (
        "amount of 5,000.00 or more (+40)",
        "high-risk destination XF (+50)",
    )


def test_alone_neither_amount_nor_country_is_rejected():
    assert not screen(FakeScorer(), order(amount_cents=1_000_000)).rejected
    assert not screen(FakeScorer(), order(country="XR")).rejected


def test_the_score_is_capped_at_100():
    assert FakeScorer().score(order(token="tok_fraud", amount_cents=500_000)).score == 100


def test_the_same_order_scores_the_same_every_time():
    scorer = FakeScorer()
    suspect = order(token="tok_fraud", country="XF")

    assert scorer.score(suspect) == scorer.score(suspect) == FakeScorer().score(suspect)
