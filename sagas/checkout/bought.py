"""What a checkout bought, read from its saga data: the order as submitted, with each line
cut to what inventory reserved when the saga kept that (checkout version 2 on, under
"reserved"). Checkout's own steps charge and ship it; a saga about an order (a return)
may take back at most it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagas.checkout.input import Order

SagaData = Mapping[str, Any]


def submitted(data: SagaData) -> Order:
    return Order.model_validate(data["order"])


def reserved_order(data: SagaData) -> Order:
    """The order as reserved: every line whole until (or unless) the saga recorded what
    the reservation got; a line it got none of is left out."""
    order = submitted(data)
    reserved = data.get("reserved")
    if reserved is None:  # all or nothing (version 1), or not answered yet
        return order
    got = {line["sku"]: int(line["quantity"]) for line in reserved}
    lines = [
        item.model_copy(update={"quantity": got[item.sku]})
        for item in order.items
        if item.sku in got
    ]
    return order.model_copy(update={"items": lines})
