"""Payment commands and their replies."""

from __future__ import annotations

from pydantic import Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import CurrencyCode, Identifier


class ChargePayment(Payload):
    message_type = "ChargePayment"
    kind = MessageKind.COMMAND

    order_id: Identifier
    amount_cents: int = Field(ge=0)
    currency: CurrencyCode
    payment_token: Identifier


class PaymentCharged(Payload):
    message_type = "PaymentCharged"
    kind = MessageKind.REPLY

    order_id: Identifier
    payment_id: str
    amount_cents: int
    currency: CurrencyCode


class PaymentDeclined(Payload):
    message_type = "PaymentDeclined"
    kind = MessageKind.REPLY

    order_id: Identifier
    code: str
    reason: str


class RefundPayment(Payload):
    message_type = "RefundPayment"
    kind = MessageKind.COMMAND

    order_id: Identifier
    payment_id: str


class PaymentRefunded(Payload):
    message_type = "PaymentRefunded"
    kind = MessageKind.REPLY

    order_id: Identifier
    payment_id: str
    refund_id: str
    amount_cents: int


class PaymentRefundFailed(Payload):
    message_type = "PaymentRefundFailed"
    kind = MessageKind.REPLY

    order_id: Identifier
    payment_id: str
    code: str
    reason: str


class PaymentOutcomeUnknown(Payload):
    """The card network did not answer in time: the charge may or may not have happened.
    Ask with CheckPaymentStatus; never charge again."""

    message_type = "PaymentOutcomeUnknown"
    kind = MessageKind.REPLY

    order_id: Identifier
    payment_id: str
    reason: str


class CheckPaymentStatus(Payload):
    message_type = "CheckPaymentStatus"
    kind = MessageKind.COMMAND

    order_id: Identifier
    payment_id: str


MESSAGES: tuple[type[Payload], ...] = (
    ChargePayment,
    PaymentCharged,
    PaymentDeclined,
    RefundPayment,
    PaymentRefunded,
    PaymentRefundFailed,
    PaymentOutcomeUnknown,
    CheckPaymentStatus,
)
