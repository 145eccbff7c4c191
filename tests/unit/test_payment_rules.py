"""Payment rules with the fake card network and its test tokens."""

from __future__ import annotations

import re

import pytest

from participants.payment.card_network import FakeCardNetwork
from participants.payment.rules import (
    Approved,
    Declined,
    PaymentRecord,
    Refunded,
    Unknown,
    charge,
    refund,
)


class NoNetwork:
    """A card network that must not be called."""

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Declined | Unknown:
        raise AssertionError("the card network was called")

    def status(self, reference: str) -> Approved | Declined | Unknown:
        raise AssertionError("the card network was called")

    def refund(self, authorization: str, amount_cents: int) -> Refunded | Declined:
        raise AssertionError("the card network was called")


NETWORK = FakeCardNetwork()


@pytest.mark.parametrize("token", ["tok_visa", "tok_mastercard", "tok_refund_fails"])
def test_approving_tokens_are_authorized(token):
    outcome = charge(NETWORK, token, 3000, "EUR")

    assert isinstance(outcome, Approved)
    assert re.fullmatch(r"authF?_[0-9a-f]{16}", outcome.authorization)


def test_authorization_is_deterministic_per_token_amount_and_currency():
    first = charge(NETWORK, "tok_visa", 3000, "EUR")

    assert charge(NETWORK, "tok_visa", 3000, "EUR") == first
    assert charge(NETWORK, "tok_visa", 3001, "EUR") != first
    assert charge(NETWORK, "tok_visa", 3000, "USD") != first


@pytest.mark.parametrize(
    ("token", "code"),
    [("tok_declined", "card_declined"), ("tok_insufficient_funds", "insufficient_funds")],
)
def test_declining_tokens_are_declined_with_their_code(token, code):
    outcome = charge(NETWORK, token, 3000, "EUR")

    assert isinstance(outcome, Declined)
    assert outcome.code == code


def test_unknown_token_is_an_invalid_token():
    outcome = charge(NETWORK, "tok_nonsense", 3000, "EUR")

    assert outcome == Declined("invalid_token", "unknown payment token 'tok_nonsense'")


@pytest.mark.parametrize("currency", ["JPY", "CHF"])
def test_unsupported_currency_is_declined_without_the_network(currency):
    outcome = charge(NoNetwork(), "tok_visa", 3000, currency)

    assert outcome == Declined("currency_not_supported", f"currency {currency} is not supported")


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
def test_supported_currencies_reach_the_network(currency):
    assert isinstance(charge(NETWORK, "tok_visa", 100, currency), Approved)


def test_zero_amount_approves_without_the_network():
    assert charge(NoNetwork(), "tok_declined", 0, "EUR") == Approved(authorization="free")


def test_negative_amount_is_declined_without_the_network():
    outcome = charge(NoNetwork(), "tok_visa", -1, "EUR")

    assert outcome == Declined("invalid_amount", "amount must not be negative, got -1")


def _charged(token: str = "tok_visa", amount_cents: int = 3000) -> PaymentRecord:
    approved = charge(NETWORK, token, amount_cents, "EUR")
    assert isinstance(approved, Approved)
    return PaymentRecord(
        status="charged", authorization=approved.authorization, amount_cents=amount_cents
    )


def test_refund_of_a_charge_returns_a_reference():
    outcome = refund(NETWORK, _charged())

    assert isinstance(outcome, Refunded)
    assert re.fullmatch(r"re_[0-9a-f]{16}", outcome.reference)


def test_second_refund_returns_the_first_reference_without_the_network():
    payment = _charged()
    first = refund(NETWORK, payment)
    assert isinstance(first, Refunded)
    refunded = PaymentRecord(
        status="refunded",
        authorization=payment.authorization,
        amount_cents=payment.amount_cents,
        refund_reference=first.reference,
    )

    assert refund(NoNetwork(), refunded) == Refunded(first.reference)


def test_refund_of_a_missing_payment_is_declined():
    assert refund(NoNetwork(), None) == Declined("payment_not_found", "no such payment")


def test_refund_of_a_free_charge_needs_no_network():
    free = PaymentRecord(status="charged", authorization="free", amount_cents=0)

    assert refund(NoNetwork(), free) == Refunded(reference="free")


def test_tok_refund_fails_charges_but_its_refund_is_declined():
    payment = _charged("tok_refund_fails")

    outcome = refund(NETWORK, payment)

    assert outcome == Declined("processor_error", "the card network refused the refund")


def test_timeout_token_leaves_the_outcome_unknown_and_status_finds_it_approved():
    outcome = charge(NETWORK, "tok_timeout", 1000, "EUR", reference="pay_1")
    assert outcome == Unknown("the card network did not answer in time")
    found = NETWORK.status("pay_1")
    assert isinstance(found, Approved)
    assert found == NETWORK.status("pay_1")  # the same answer every time it is asked


def test_a_charge_handled_again_uses_the_same_idempotency_key():
    from participants.payment.handlers import payment_id_for

    assert payment_id_for("cmd-1") == payment_id_for("cmd-1") != payment_id_for("cmd-2")
