"""The order as a client submits it through ``orchestrator.place_order``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$"),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

MAX_ITEMS = 100
MAX_QUANTITY = 10_000


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Customer(_Strict):
    id: Identifier
    email: EmailStr
    name: Text


class OrderItem(_Strict):
    sku: Identifier
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)
    unit_price_cents: int = Field(ge=0, le=100_000_000, strict=True)


class ShippingAddress(_Strict):
    name: Text
    line1: Text
    city: Text
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    country: CountryCode


class Order(_Strict):
    order_id: Identifier
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=MAX_ITEMS)
    currency: CurrencyCode
    payment_token: Identifier
    shipping_address: ShippingAddress

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> Order:
        skus = [item.sku for item in self.items]
        if len(skus) != len(set(skus)):
            raise ValueError("items: each sku may appear only once")
        return self

    @property
    def total_cents(self) -> int:
        return sum(item.quantity * item.unit_price_cents for item in self.items)
