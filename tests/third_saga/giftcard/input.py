"""What a client submits to buy a gift card."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from messaging.contracts.orders import CurrencyCode, Identifier


class GiftCardPurchase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    card_id: Identifier
    amount_cents: int = Field(gt=0, le=50_000)
    currency: CurrencyCode
    payment_token: Identifier
