"""Payment commands and their replies."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

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
    """Refund ``amount_cents`` of a charge, or, when it is None, everything not refunded yet.

    ``reference`` is the sender's idempotency key (a return id, say): a refund whose
    reference the payment has seen answers with that first refund, whatever its message
    id or amount. Without a reference, a refund of everything is made once per payment
    and a refund of an amount once per message id. Payment never refunds more than was
    charged and not yet refunded.

    The two options are left out of the payload while they are None: a refund of
    everything travels exactly as it did before they existed."""

    message_type = "RefundPayment"
    kind = MessageKind.COMMAND

    order_id: Identifier
    payment_id: str
    amount_cents: int | None = Field(default=None, ge=0)
    reference: Identifier | None = None

    @model_serializer(mode="wrap")
    def _without_unset_options(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None or k not in _REFUND_OPTIONS}


_REFUND_OPTIONS = frozenset({"amount_cents", "reference"})


class PaymentRefunded(Payload):
    """One refund: ``amount_cents`` is what this refund gave back (the first refund's
    amount again when a repeated command is answered with it)."""

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
