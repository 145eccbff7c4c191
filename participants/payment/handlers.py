"""Payment's command handlers: thin adapters from messages to rules, store and the card
network they are built with, declared in one registry (``registry``)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.payment import (
    ChargePayment,
    CheckPaymentStatus,
    PaymentCharged,
    PaymentDeclined,
    PaymentOutcomeUnknown,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.handlers import Registry, replying
from messaging.refusal import Refusal
from participants.payment import rules, store


def payment_id_for(command_id: str) -> str:
    """The payment's id, derived from the charge command's message id: a command handled
    again after a crash (before its commit) asks the card network with the same
    idempotency key, so the network can refuse to charge twice."""
    return f"pay_{hashlib.sha256(command_id.encode()).hexdigest()[:16]}"


def registry(network: rules.CardNetwork) -> Registry:
    """Payment's commands and their handlers, on ``network``; any other type is parked."""
    payments = PaymentHandlers(network)
    return Registry(
        "payment",
        {
            ChargePayment: replying(payments.charge),
            RefundPayment: replying(payments.refund),
            CheckPaymentStatus: replying(payments.check),
        },
    )


class PaymentHandlers:
    """The handlers that talk to the card network, built with it."""

    def __init__(self, network: rules.CardNetwork) -> None:
        self.network = network

    def charge(self, conn: Connection, message: Message[ChargePayment]) -> Payload:
        command = message.payload
        payment_id = payment_id_for(message.envelope.message_id)
        outcome = rules.charge(
            self.network,
            command.payment_token,
            command.amount_cents,
            command.currency,
            reference=payment_id,
        )
        if isinstance(outcome, Refusal):
            return PaymentDeclined(
                order_id=command.order_id, code=outcome.code, reason=outcome.reason
            )
        if isinstance(outcome, rules.Unknown):
            store.add_unknown(
                conn, payment_id, command.order_id, command.amount_cents, command.currency
            )
            return PaymentOutcomeUnknown(
                order_id=command.order_id, payment_id=payment_id, reason=outcome.reason
            )
        store.add_charge(
            conn,
            payment_id,
            order_id=command.order_id,
            amount_cents=command.amount_cents,
            currency=command.currency,
            authorization=outcome.authorization,
        )
        return PaymentCharged(
            order_id=command.order_id,
            payment_id=payment_id,
            amount_cents=command.amount_cents,
            currency=command.currency,
        )

    def refund(self, conn: Connection, message: Message[RefundPayment]) -> Payload:
        command = message.payload
        reference = rules.refund_key(
            command.reference, command.amount_cents, message.envelope.message_id
        )
        payment = store.payment_for_update(conn, command.payment_id)  # one refund at a time
        previous = store.refund_under(conn, command.payment_id, reference)
        if previous is None and reference == rules.REST_OF_PAYMENT:
            previous = store.earlier_full_refund(conn, command.payment_id)
        outcome = rules.refund(
            self.network,
            payment,
            command.amount_cents,
            key=f"{command.payment_id}/{reference}",
            previous=previous,
        )
        if isinstance(outcome, Refusal):
            return PaymentRefundFailed(
                order_id=command.order_id,
                payment_id=command.payment_id,
                code=outcome.code,
                reason=outcome.reason,
            )
        assert payment is not None
        if previous is None:  # a new refund
            store.add_refund(conn, command.payment_id, reference, outcome)
            refunded = payment.refunded_cents + outcome.amount_cents
            status = rules.status_after_refund(payment.amount_cents, refunded)
            if outcome.amount_cents or status != payment.status:
                store.mark_refunded(conn, command.payment_id, outcome.amount_cents, status)
        return PaymentRefunded(
            order_id=command.order_id,
            payment_id=command.payment_id,
            refund_id=outcome.refund_id,
            amount_cents=outcome.amount_cents,
        )

    def check(self, conn: Connection, message: Message[CheckPaymentStatus]) -> Payload:
        """Tell the outcome of a charge; ask the network only while it is unknown."""
        command = message.payload
        found = store.charge_of(conn, command.payment_id)
        if found is None:
            return PaymentDeclined(
                order_id=command.order_id, code="payment_not_found", reason="no such payment"
            )
        order_id, status, amount, currency = found
        if status == "unknown":
            outcome = self.network.status(command.payment_id)
            if isinstance(outcome, rules.Unknown):
                return PaymentOutcomeUnknown(
                    order_id=order_id, payment_id=command.payment_id, reason=outcome.reason
                )
            if isinstance(outcome, Refusal):
                store.settle(conn, command.payment_id, "declined")
                return PaymentDeclined(order_id=order_id, code=outcome.code, reason=outcome.reason)
            store.settle(conn, command.payment_id, "charged", outcome.authorization)
            status = "charged"
        if status == "declined":
            return PaymentDeclined(
                order_id=order_id, code="card_declined", reason="the charge was declined"
            )
        return PaymentCharged(
            order_id=order_id, payment_id=command.payment_id, amount_cents=amount, currency=currency
        )
