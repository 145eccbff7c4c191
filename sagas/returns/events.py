"""Domain events the orchestrator records when a return ends; reactors get their copies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import CurrencyCode, Customer, Identifier, Text


class ReturnedLine(BaseModel):
    """One returned line, priced as it was bought."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: Identifier
    quantity: int = Field(gt=0)
    unit_price_cents: int = Field(ge=0)


class ReturnCompleted(Payload):
    """The refund went through, the label exists and the lines are back in stock."""

    message_type = "ReturnCompleted"
    kind = MessageKind.EVENT

    return_id: Identifier
    order_id: Identifier
    customer: Customer
    lines: list[ReturnedLine]
    refund_cents: int = Field(ge=0)
    currency: CurrencyCode
    refund_id: str
    tracking_number: str
    reason: Text


class ReturnRejected(Payload):
    """The return did not go through; what it had done was undone (a label is voided).

    ``refund_cents`` is what was refunded anyway (0 unless the refund succeeded and
    the label was refused: a refund cannot be undone)."""

    message_type = "ReturnRejected"
    kind = MessageKind.EVENT

    return_id: Identifier
    order_id: Identifier
    customer: Customer
    lines: list[ReturnedLine]
    refund_cents: int = Field(ge=0)
    currency: CurrencyCode
    code: str
    reason: str


MESSAGES: tuple[type[Payload], ...] = (ReturnCompleted, ReturnRejected)
