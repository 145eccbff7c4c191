"""Payment rules with the fake card network and its test tokens."""

from __future__ import annotations

import re

import pytest

from messaging.refusal import Refusal
from participants.payment.card_network import FakeCardNetwork
from participants.payment.rules import (
    Approved,
    PaymentRecord,
    Refund,
    Refunded,
    Unknown,
    charge,
    refund,
    refund_key,
    sender_reference,
    status_after_refund,
)


class NoNetwork:
    """A card network that must not be called."""

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        raise AssertionError("the card network was called")

    def status(self, reference: str) -> Approved | Refusal | Unknown:
        raise AssertionError("the card network was called")

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        raise AssertionError("the card network was called")


class RecordingNetwork(NoNetwork):
    """Approves every refund and remembers what it was asked."""

    def __init__(self) -> None:
        self.refunds: list[tuple[str, int, str]] = []

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        self.refunds.append((authorization, amount_cents, reference))
        return Refunded(f"re_{len(self.refunds)}")


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

    assert isinstance(outcome, Refusal)
    assert outcome.code == code


def test_unknown_token_is_an_invalid_token():
    outcome = charge(NETWORK, "tok_nonsense", 3000, "EUR")

    assert outcome == Refusal("invalid_token", "unknown payment token 'tok_nonsense'")


@pytest.mark.parametrize("currency", ["JPY", "CHF"])
def test_unsupported_currency_is_declined_without_the_network(currency):
    outcome = charge(NoNetwork(), "tok_visa", 3000, currency)

    assert outcome == Refusal("currency_not_supported", f"currency {currency} is not supported")


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
def test_supported_currencies_reach_the_network(currency):
    assert isinstance(charge(NETWORK, "tok_visa", 100, currency), Approved)


def test_zero_amount_approves_without_the_network():
    assert charge(NoNetwork(), "tok_declined", 0, "EUR") == Approved(authorization="free")


def test_negative_amount_is_declined_without_the_network():
    outcome = charge(NoNetwork(), "tok_visa", -1, "EUR")

    assert outcome == Refusal("invalid_amount", "amount must not be negative, got -1")


def _charged(
    token: str = "tok_visa", amount_cents: int = 3000, refunded_cents: int = 0
) -> PaymentRecord:
    approved = charge(NETWORK, token, amount_cents, "EUR")
    assert isinstance(approved, Approved)
    status = status_after_refund(amount_cents, refunded_cents)
    return PaymentRecord(status, approved.authorization, amount_cents, refunded_cents)


def test_refund_of_a_charge_gives_back_everything_with_a_reference():
    outcome = refund(NETWORK, _charged(), key="pay_1/~rest")

    assert isinstance(outcome, Refund)
    assert re.fullmatch(r"re_[0-9a-f]{16}", outcome.refund_id)
    assert outcome.amount_cents == 3000


def test_a_refund_made_before_under_the_same_key_is_the_answer_without_the_network():
    payment = _charged()
    first = refund(NETWORK, payment, key="pay_1/~rest")
    assert isinstance(first, Refund)
    refunded = _charged(refunded_cents=3000)

    assert refund(NoNetwork(), refunded, key="pay_1/~rest", previous=first) == first
    # an amount asked again under a reference already used: still the first refund
    assert refund(NoNetwork(), refunded, 5, key="pay_1/~rest", previous=first) == first


def test_refund_of_a_missing_payment_is_declined():
    assert refund(NoNetwork(), None) == Refusal("payment_not_found", "no such payment")


@pytest.mark.parametrize("status", ["unknown", "declined"])
def test_refund_of_a_payment_not_charged_is_declined_without_the_network(status):
    payment = PaymentRecord(status=status, authorization="", amount_cents=3000)

    outcome = refund(NoNetwork(), payment, key="pay_1/~rest")

    assert outcome == Refusal("payment_not_charged", f"the payment is {status}, not charged")


def test_refund_of_a_free_charge_needs_no_network():
    free = PaymentRecord(status="charged", authorization="free", amount_cents=0)

    outcome = refund(NoNetwork(), free, key="pay_1/~rest")

    assert isinstance(outcome, Refund)
    assert re.fullmatch(r"free_[0-9a-f]{16}", outcome.refund_id)
    assert outcome.amount_cents == 0


def test_a_refund_of_nothing_has_an_id_of_its_own_per_key():
    payment = _charged()

    first = refund(NoNetwork(), payment, 0, key="pay_1/RET-1")
    again = refund(NoNetwork(), payment, 0, key="pay_1/RET-1")
    other = refund(NoNetwork(), payment, 0, key="pay_1/RET-2")

    assert isinstance(first, Refund)
    assert isinstance(other, Refund)
    assert first == again
    assert first.refund_id != other.refund_id


def test_tok_refund_fails_charges_but_its_refund_is_declined():
    payment = _charged("tok_refund_fails")

    outcome = refund(NETWORK, payment, key="pay_1/~rest")

    assert outcome == Refusal("processor_error", "the card network refused the refund")


def test_tok_refund_fails_declines_a_partial_refund_too():
    outcome = refund(NETWORK, _charged("tok_refund_fails"), 500, key="pay_1/RET-1")

    assert outcome == Refusal("processor_error", "the card network refused the refund")


def test_partial_refund_asks_the_network_for_that_amount_under_the_key():
    network = RecordingNetwork()
    payment = _charged()

    outcome = refund(network, payment, 1000, key="pay_1/RET-1")

    assert outcome == Refund("re_1", 1000)
    assert network.refunds == [(payment.authorization, 1000, "pay_1/RET-1")]


def test_refund_of_everything_after_partial_refunds_gives_back_the_rest():
    network = RecordingNetwork()

    outcome = refund(network, _charged(refunded_cents=1200), key="pay_1/~rest")

    assert outcome == Refund("re_1", 1800)


def test_the_exact_rest_can_be_refunded():
    assert refund(RecordingNetwork(), _charged(refunded_cents=1200), 1800) == Refund("re_1", 1800)


@pytest.mark.parametrize(
    ("refunded", "amount", "left"), [(0, 3001, 3000), (1200, 1801, 1800), (3000, 1, 0)]
)
def test_a_refund_beyond_what_is_left_is_declined_naming_the_amounts(refunded, amount, left):
    outcome = refund(NoNetwork(), _charged(refunded_cents=refunded), amount, key="pay_1/RET-9")

    assert outcome == Refusal(
        "refund_exceeds_charge",
        f"a refund of {amount} cents exceeds the {left} cents left to refund "
        f"(3000 charged, {refunded} already refunded)",
    )


def test_refund_of_everything_when_nothing_is_left_gives_back_nothing():
    outcome = refund(NoNetwork(), _charged(refunded_cents=3000), key="pay_1/~rest")

    assert isinstance(outcome, Refund)
    assert outcome.amount_cents == 0


def test_a_negative_refund_is_declined_without_the_network():
    outcome = refund(NoNetwork(), _charged(), -1, key="pay_1/RET-1")

    assert outcome == Refusal("invalid_amount", "a refund must not be negative, got -1")


@pytest.mark.parametrize(
    ("amount", "refunded", "status"),
    [
        (3000, 0, "charged"),
        (3000, 1, "partially_refunded"),
        (3000, 2999, "partially_refunded"),
        (3000, 3000, "refunded"),
        (0, 0, "refunded"),
    ],
)
def test_status_after_refund(amount, refunded, status):
    assert status_after_refund(amount, refunded) == status


def test_the_fake_network_gives_one_refund_id_per_reference():
    authorization = _charged().authorization

    first = NETWORK.refund(authorization, 1000, "pay_1/RET-1")

    assert NETWORK.refund(authorization, 1000, "pay_1/RET-1") == first
    assert NETWORK.refund(authorization, 1000, "pay_1/RET-2") != first
    assert NETWORK.refund(authorization, 1000, "pay_2/RET-1") != first


def test_timeout_token_leaves_the_outcome_unknown_and_status_finds_it_approved():
    outcome = charge(NETWORK, "tok_timeout", 1000, "EUR", reference="pay_1")
    assert outcome == Unknown("the card network did not answer in time")
    found = NETWORK.status("pay_1")
    assert isinstance(found, Approved)
    assert found == NETWORK.status("pay_1")  # the same answer every time it is asked


def test_a_charge_handled_again_uses_the_same_idempotency_key():
    from participants.payment.handlers import payment_id_for

    assert payment_id_for("cmd-1") == payment_id_for("cmd-1") != payment_id_for("cmd-2")


def test_a_refunds_key_is_the_senders_reference_else_derived_from_the_command():
    assert refund_key("RET-1", None, "cmd-1") == refund_key("RET-1", 5, "cmd-2") == "RET-1"
    assert refund_key(None, None, "cmd-1") == refund_key(None, None, "cmd-2") == "~rest"
    assert refund_key(None, 5, "cmd-1") == "~message:cmd-1"  # an amount, no reference
    assert sender_reference("RET-1") == "RET-1"
    assert sender_reference(refund_key(None, None, "cmd-1")) is None
    assert sender_reference(refund_key(None, 5, "cmd-1")) is None
