"""Payment's refunds (partial, by reference, of everything left) through its registry and
the consumer, on a real store. A refund sent again under a new message id (a compensation
retried after a failure reply) must not be made twice, nor two at once give back more
than was charged (the payment row is locked: FOR UPDATE on PostgreSQL, the write lock on
SQLite)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentOutcomeUnknown,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.refusal import Refusal
from participants.payment import handlers as payment_handlers
from participants.payment import store as payment_store
from participants.payment.card_network import FakeCardNetwork
from participants.payment.rules import Refunded
from tests.service.harness import Participant

pytestmark = pytest.mark.service


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def payments(payment: Participant) -> Participant:
    """Payment on its store (``payment`` here is the charge a test refunds)."""
    return payment


def charged(
    payments: Participant, amount_cents: int = 3000, token: str = "tok_visa"
) -> PaymentCharged:
    order_id = unique("ord")
    charge = ChargePayment(
        order_id=order_id, amount_cents=amount_cents, currency="EUR", payment_token=token
    )
    reply = payments.send(charge)
    assert isinstance(reply, PaymentCharged)
    return reply


def refund(
    payments: Participant,
    payment: PaymentCharged,
    amount: int | None = None,
    reference: str | None = None,
) -> Any:
    command = RefundPayment(
        order_id=payment.order_id,
        payment_id=payment.payment_id,
        amount_cents=amount,
        reference=reference,
    )
    return payments.send(command, reply_to="returns")


def payment_row(payments: Participant, payment: PaymentCharged) -> tuple[str, int, int]:
    with payments.engine.begin() as conn:
        view = payment_store.payments_of(conn, payment.order_id)
    (row,) = view["payments"]
    return row["status"], row["refunded_cents"], view["net_charged_cents"]


def refund_rows(payments: Participant, payment: PaymentCharged) -> list[tuple[int, str | None]]:
    with payments.engine.begin() as conn:
        rows = payment_store.refunds_of(conn, payment.order_id)
    return [(r["amount_cents"], r["reference"]) for r in rows]


def test_partial_refunds_add_up_and_one_beyond_the_charge_is_refused(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000, "RET-1")
    second = refund(payments, payment, 1500, "RET-2")
    beyond = refund(payments, payment, 600, "RET-3")

    assert isinstance(first, PaymentRefunded)
    assert isinstance(second, PaymentRefunded)
    assert (first.amount_cents, second.amount_cents) == (1000, 1500)
    assert first.refund_id != second.refund_id
    assert beyond == PaymentRefundFailed(
        order_id=payment.order_id,
        payment_id=payment.payment_id,
        code="refund_exceeds_charge",
        reason="a refund of 600 cents exceeds the 500 cents left to refund "
        "(3000 charged, 2500 already refunded)",
    )
    assert payment_row(payments, payment) == ("partially_refunded", 2500, 500)
    assert refund_rows(payments, payment) == [(1000, "RET-1"), (1500, "RET-2")]


def test_the_same_reference_twice_makes_one_refund(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000, "RET-1")
    again = refund(payments, payment, 1000, "RET-1")  # a new message id
    other_amount = refund(payments, payment, 700, "RET-1")

    assert isinstance(first, PaymentRefunded)
    assert again == other_amount == first
    assert payment_row(payments, payment) == ("partially_refunded", 1000, 2000)
    assert refund_rows(payments, payment) == [(1000, "RET-1")]


def test_a_full_refund_after_partial_refunds_gives_back_the_rest_once(payments):
    payment = charged(payments)
    refund(payments, payment, 1000, "RET-1")

    rest = refund(payments, payment)
    rest_again = refund(payments, payment)  # the compensation retried: a new message id
    more = refund(payments, payment, 1, "RET-2")

    assert isinstance(rest, PaymentRefunded)
    assert rest.amount_cents == 2000
    assert rest_again == rest
    assert isinstance(more, PaymentRefundFailed)
    assert more.code == "refund_exceeds_charge"
    assert payment_row(payments, payment) == ("refunded", 3000, 0)
    assert refund_rows(payments, payment) == [(1000, "RET-1"), (2000, None)]


def test_the_checkouts_refund_of_everything_is_made_once(payments):
    payment = charged(payments)

    first = refund(payments, payment)
    again = refund(payments, payment)

    assert isinstance(first, PaymentRefunded)
    assert first.amount_cents == 3000
    assert again == first
    assert payment_row(payments, payment) == ("refunded", 3000, 0)
    with payments.engine.begin() as conn:
        trail = payment_store.order_trail(conn, payment.order_id)
    assert [entry.what for entry in trail] == ["charged", "refunded"]
    assert trail[1].detail == f"30.00 EUR ({payment.payment_id}, {first.refund_id})"


def test_a_payment_refunded_before_refunds_had_rows_answers_with_that_refund(payments):
    """A row as the one-refund-per-payment code left it: refunded in full, the refund's
    id on the payment row. The checkout's refund, sent again, finds that refund."""
    payment = charged(payments)
    with payments.engine.begin() as conn:
        conn.execute(
            update(payment_store.payments)
            .where(payment_store.payments.c.payment_id == payment.payment_id)
            .values(
                status="refunded",
                refunded_cents=3000,
                refund_reference="re_earlier",
                refunded_at=datetime.now(UTC),
            )
        )

    again = refund(payments, payment)
    partial = refund(payments, payment, 1, "RET-1")

    assert isinstance(again, PaymentRefunded)
    assert (again.refund_id, again.amount_cents) == ("re_earlier", 3000)
    assert isinstance(partial, PaymentRefundFailed)
    assert partial.code == "refund_exceeds_charge"
    assert refund_rows(payments, payment) == []
    with payments.engine.begin() as conn:
        trail = payment_store.order_trail(conn, payment.order_id)
    assert [entry.what for entry in trail] == ["charged", "refunded"]


def test_an_amount_without_a_reference_is_refunded_once_per_message(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000)
    second = refund(payments, payment, 1000)

    assert isinstance(first, PaymentRefunded)
    assert isinstance(second, PaymentRefunded)
    assert first.refund_id != second.refund_id
    assert payment_row(payments, payment) == ("partially_refunded", 2000, 1000)


def test_a_refused_refund_records_nothing_and_can_be_tried_again(payments):
    payment = charged(payments, token="tok_refund_fails")

    refused = refund(payments, payment, 1000, "RET-1")
    refused_again = refund(payments, payment, 1000, "RET-1")

    assert isinstance(refused, PaymentRefundFailed)
    assert refused.code == "processor_error"
    assert refused_again == refused
    assert payment_row(payments, payment) == ("charged", 0, 3000)
    assert refund_rows(payments, payment) == []


def test_a_refund_of_a_payment_not_charged_fails(payments):
    order_id = unique("ord")
    charge = ChargePayment(
        order_id=order_id, amount_cents=3000, currency="EUR", payment_token="tok_timeout"
    )
    unknown = payments.send(charge)
    assert isinstance(unknown, PaymentOutcomeUnknown)
    missing = RefundPayment(order_id=order_id, payment_id="pay_nope", amount_cents=1)

    not_charged = payments.send(
        RefundPayment(order_id=order_id, payment_id=unknown.payment_id, amount_cents=1)
    )

    assert isinstance(not_charged, PaymentRefundFailed)
    assert not_charged.code == "payment_not_charged"
    assert payments.send(missing).code == "payment_not_found"


def test_a_free_order_is_refunded_without_the_network(payments):
    payment = charged(payments, amount_cents=0)

    first = refund(payments, payment)

    assert isinstance(first, PaymentRefunded)
    assert first.amount_cents == 0
    assert refund(payments, payment) == first
    assert payment_row(payments, payment) == ("refunded", 0, 0)


class SlowCardNetwork(FakeCardNetwork):
    """Takes its time over a refund, so that a second refund arrives meanwhile."""

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        time.sleep(0.3)
        return super().refund(authorization, amount_cents, reference)


def refund_concurrently(
    payments: Participant, payment: PaymentCharged, *refunds: tuple[int, str]
) -> list[Any]:
    slow = Participant.on("payment", payments.engine, payment_handlers.registry(SlowCardNetwork()))

    def one(amount_and_reference: tuple[int, str]) -> Any:
        amount, reference = amount_and_reference
        command = RefundPayment(
            order_id=payment.order_id,
            payment_id=payment.payment_id,
            amount_cents=amount,
            reference=reference,
        )
        return slow.send(command, reply_to="returns")

    with ThreadPoolExecutor(len(refunds)) as pool:
        pending = [pool.submit(one, refund) for refund in refunds]
        return [future.result(timeout=60) for future in pending]  # each lock wait bounded


def test_concurrent_refunds_never_give_back_more_than_was_charged(payments):
    payment = charged(payments)

    replies = refund_concurrently(payments, payment, (2000, "RET-1"), (2000, "RET-2"))

    assert sorted(type(reply).__name__ for reply in replies) == [
        "PaymentRefundFailed",
        "PaymentRefunded",
    ]
    assert payment_row(payments, payment) == ("partially_refunded", 2000, 1000)


def test_concurrent_refunds_under_one_reference_make_one_refund(payments):
    payment = charged(payments)

    first, second = refund_concurrently(payments, payment, (1000, "RET-1"), (1000, "RET-1"))

    assert isinstance(first, PaymentRefunded)
    assert second == first
    assert refund_rows(payments, payment) == [(1000, "RET-1")]
