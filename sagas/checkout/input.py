"""The order as a client submits it through ``orchestrator.place_order`` (or
``orchestrator.start_saga(definition="checkout", input=...)``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from messaging.contracts.orders import (
    MAX_ITEMS,
    CurrencyCode,
    Customer,
    Identifier,
    OrderItem,
    ShippingAddress,
    Strict,
)


class Order(Strict):
    order_id: Identifier
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=MAX_ITEMS)
    currency: CurrencyCode
    payment_token: Identifier
    shipping_address: ShippingAddress
    # Checkout 2 and later: reserve what is in stock and ship that, rather than refuse.
    allow_partial: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> Order:
        skus = [item.sku for item in self.items]
        if len(skus) != len(set(skus)):
            raise ValueError("items: each sku may appear only once")
        return self

    @property
    def total_cents(self) -> int:
        return sum(item.quantity * item.unit_price_cents for item in self.items)
