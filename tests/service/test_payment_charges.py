"""Payment's charge and status check through its registry and the consumer, on a real
store: an approved charge is recorded under an id derived from the command, a declined one
records nothing, an unknown outcome is asked about (never charged again) until known."""

from __future__ import annotations

from typing import Any

import pytest

from messaging.contracts.payment import (
    ChargePayment,
    CheckPaymentStatus,
    PaymentCharged,
    PaymentDeclined,
    PaymentOutcomeUnknown,
)
from messaging.refusal import Refusal
from participants.payment import handlers as payment_handlers
from participants.payment import store as payment_store
from participants.payment.card_network import FakeCardNetwork
from participants.payment.rules import Approved, Unknown
from tests.service.harness import Participant

pytestmark = pytest.mark.service


def charge(
    payment: Participant, token: str = "tok_visa", amount_cents: int = 3000, currency: str = "EUR"
) -> Any:
    return payment.send(
        ChargePayment(
            order_id="ord-1", amount_cents=amount_cents, currency=currency, payment_token=token
        )
    )


def rows(payment: Participant, order_id: str = "ord-1") -> list[tuple[str, int]]:
    with payment.engine.begin() as conn:
        view = payment_store.payments_of(conn, order_id)
    return [(p["status"], p["amount_cents"]) for p in view["payments"]]


def test_an_approved_charge_is_recorded_under_the_commands_payment_id(payment):
    reply = charge(payment)

    assert isinstance(reply, PaymentCharged)
    (command_id,) = [row.body["causation_id"] for row in payment.published]
    assert reply.payment_id == payment_handlers.payment_id_for(command_id)
    assert (reply.amount_cents, reply.currency) == (3000, "EUR")
    assert rows(payment) == [("charged", 3000)]


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("tok_declined", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_nonsense", "invalid_token"),
    ],
)
def test_a_declined_charge_records_nothing(payment, token, code):
    reply = charge(payment, token)

    assert isinstance(reply, PaymentDeclined)
    assert (reply.order_id, reply.code) == ("ord-1", code)
    assert rows(payment) == []


def test_a_currency_not_supported_is_declined_before_the_network(payment):
    reply = charge(payment, currency="JPY")

    assert reply == PaymentDeclined(
        order_id="ord-1", code="currency_not_supported", reason="currency JPY is not supported"
    )


def test_an_unknown_outcome_is_asked_about_until_known(payment):
    unknown = charge(payment, "tok_timeout")
    assert isinstance(unknown, PaymentOutcomeUnknown)
    assert rows(payment) == [("unknown", 3000)]

    settled = payment.send(CheckPaymentStatus(order_id="ord-1", payment_id=unknown.payment_id))
    again = payment.send(CheckPaymentStatus(order_id="ord-1", payment_id=unknown.payment_id))

    expected = PaymentCharged(
        order_id="ord-1", payment_id=unknown.payment_id, amount_cents=3000, currency="EUR"
    )
    assert settled == again == expected
    assert rows(payment) == [("charged", 3000)]


class AnsweringLater(FakeCardNetwork):
    """Says nothing about a charge the first time it is asked, then declines it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def status(self, reference: str) -> Approved | Refusal | Unknown:
        self.asked.append(reference)
        if len(self.asked) == 1:
            return Unknown("still no answer")
        return Refusal("card_declined", "the card was declined")


def test_a_status_check_asks_the_network_only_while_the_outcome_is_unknown(payment):
    network = AnsweringLater()
    asking = Participant.on("payment", payment.engine, payment_handlers.registry(network))
    unknown = charge(asking, "tok_timeout")
    check = CheckPaymentStatus(order_id="ord-1", payment_id=unknown.payment_id)

    still_unknown = asking.send(check)
    declined = asking.send(check)
    declined_again = asking.send(check)  # from the row: the network is not asked

    assert still_unknown == PaymentOutcomeUnknown(
        order_id="ord-1", payment_id=unknown.payment_id, reason="still no answer"
    )
    assert declined == PaymentDeclined(
        order_id="ord-1", code="card_declined", reason="the card was declined"
    )
    assert declined_again.code == "card_declined"
    assert network.asked == [unknown.payment_id, unknown.payment_id]
    assert rows(payment) == [("declined", 3000)]


def test_a_status_check_of_an_unknown_payment_is_declined(payment):
    reply = payment.send(CheckPaymentStatus(order_id="ord-1", payment_id="pay_nope"))

    assert reply == PaymentDeclined(
        order_id="ord-1", code="payment_not_found", reason="no such payment"
    )


def test_a_free_order_is_approved_without_the_network(payment):
    reply = charge(payment, "tok_nonsense", amount_cents=0)

    assert isinstance(reply, PaymentCharged)
    assert rows(payment) == [("charged", 0)]
