"""Value types of an order, shared by the contracts: ids, money, customer, items, address."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$"),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

MAX_ITEMS = 100
MAX_QUANTITY = 10_000


class Strict(BaseModel):
    """Frozen, and no field it does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Customer(Strict):
    id: Identifier
    email: EmailStr
    name: Text


class OrderItem(Strict):
    sku: Identifier
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)
    unit_price_cents: int = Field(ge=0, le=100_000_000, strict=True)


class ShippingAddress(Strict):
    name: Text
    line1: Text
    city: Text
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    country: CountryCode
