"""Payment's command handlers: thin adapters from messages to rules and store."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentDeclined,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.outbox import OutgoingMessage
from messaging.replies import reply_to
from participants.payment import rules, store


class PaymentHandlers:
    def __init__(self, network: rules.CardNetwork) -> None:
        self.network = network

    def __call__(self, conn: Connection, message: Message[Payload]) -> Sequence[OutgoingMessage]:
        command = message.payload
        if isinstance(command, ChargePayment):
            return [reply_to(message, self.charge(conn, command))]
        if isinstance(command, RefundPayment):
            return [reply_to(message, self.refund(conn, command))]
        raise TypeError(f"payment does not handle {message.type}")

    def charge(self, conn: Connection, command: ChargePayment) -> Payload:
        outcome = rules.charge(
            self.network, command.payment_token, command.amount_cents, command.currency
        )
        if isinstance(outcome, rules.Declined):
            return PaymentDeclined(
                order_id=command.order_id, code=outcome.code, reason=outcome.reason
            )
        payment_id = f"pay_{uuid.uuid4().hex[:16]}"
        store.add_charge(
            conn,
            payment_id,
            command.order_id,
            command.amount_cents,
            command.currency,
            outcome.authorization,
        )
        return PaymentCharged(
            order_id=command.order_id,
            payment_id=payment_id,
            amount_cents=command.amount_cents,
            currency=command.currency,
        )

    def refund(self, conn: Connection, command: RefundPayment) -> Payload:
        payment = store.payment_for_update(conn, command.payment_id)
        outcome = rules.refund(self.network, payment)
        if isinstance(outcome, rules.Declined):
            return PaymentRefundFailed(
                order_id=command.order_id,
                payment_id=command.payment_id,
                code=outcome.code,
                reason=outcome.reason,
            )
        assert payment is not None
        if payment.status != "refunded":
            store.mark_refunded(conn, command.payment_id, payment.amount_cents, outcome.reference)
        return PaymentRefunded(
            order_id=command.order_id,
            payment_id=command.payment_id,
            refund_id=outcome.reference,
            amount_cents=payment.amount_cents,
        )
