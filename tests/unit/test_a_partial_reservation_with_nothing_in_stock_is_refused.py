"""A reservation that allows less than asked is refused, as all or none refuses, when
none of any line is in stock: ``out_of_stock``, every line named with what was wanted."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from messaging.refusal import Refusal
from participants.inventory.rules import Line, reserve_available

STOCK = MappingProxyType({"SKU-1": 0, "SKU-2": 0, "SKU-3": 4})


def test_no_line_in_stock_refuses_with_every_line_named():
    outcome = reserve_available(STOCK, [Line("SKU-2", 1), Line("SKU-1", 3)])

    assert outcome == Refusal(
        "out_of_stock",
        "out of stock: SKU-1 (wanted 3, available 0); SKU-2 (wanted 1, available 0)",
    )


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_non_positive_quantity_is_refused_as_all_or_none_refuses_it(quantity):
    outcome = reserve_available(STOCK, [Line("SKU-3", 1), Line("SKU-2", quantity)])

    assert outcome == Refusal("invalid_quantity", "SKU-2: quantity must be positive")
