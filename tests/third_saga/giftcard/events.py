"""What the gift card saga tells the world when it ends."""

from __future__ import annotations

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import Identifier


class GiftCardIssued(Payload):
    message_type = "GiftCardIssued"
    kind = MessageKind.EVENT

    card_id: Identifier
    amount_cents: int
    payment_id: str


class GiftCardNotIssued(Payload):
    message_type = "GiftCardNotIssued"
    kind = MessageKind.EVENT

    card_id: Identifier
    reason: str


MESSAGES: tuple[type[Payload], ...] = (GiftCardIssued, GiftCardNotIssued)
