"""Fraud screening: the command that asks whether an order may go on, and its replies.

Only what the screening needs travels: the customer's id (not their name or email), the
amount, the destination country and the payment token."""

from __future__ import annotations

from pydantic import Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import CountryCode, CurrencyCode, Identifier


class ScreenOrder(Payload):
    """Screen an order before it is charged. Once per ``order_id``: the same order asked
    again answers with its first verdict."""

    message_type = "ScreenOrder"
    kind = MessageKind.COMMAND

    order_id: Identifier
    customer_id: Identifier
    amount_cents: int = Field(ge=0, strict=True)
    currency: CurrencyCode
    country: CountryCode
    payment_token: Identifier


class OrderScreened(Payload):
    """The order may go on. ``score`` is 0 (no risk seen) to 100."""

    message_type = "OrderScreened"
    kind = MessageKind.REPLY

    order_id: Identifier
    screening_id: str
    score: int = Field(ge=0, le=100)


class FraudSuspected(Payload):
    """The order must not go on: ``code`` is ``fraud_rejected``, ``reason`` says which
    rules fired."""

    message_type = "FraudSuspected"
    kind = MessageKind.REPLY

    order_id: Identifier
    screening_id: str
    score: int = Field(ge=0, le=100)
    code: str
    reason: str


MESSAGES: tuple[type[Payload], ...] = (ScreenOrder, OrderScreened, FraudSuspected)
