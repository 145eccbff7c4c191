"""A reservation that allows less than asked, with every line in stock, takes what all or
none takes and misses nothing (inventory then answers ``InventoryReserved``, as today)."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from participants.inventory.rules import Line, Taken, reserve, reserve_available

STOCK = MappingProxyType({"SKU-1": 5, "SKU-2": 3})


@pytest.mark.parametrize(
    "lines",
    [
        [Line("SKU-1", 2), Line("SKU-2", 3)],
        [Line("SKU-1", 5)],
        [Line("SKU-2", 1), Line("SKU-1", 1), Line("SKU-2", 2)],
    ],
)
def test_everything_in_stock_is_reserved_whole(lines):
    whole = reserve(STOCK, lines)

    outcome = reserve_available(STOCK, lines)

    assert isinstance(outcome, Taken)
    assert outcome.missing == []
    assert outcome.levels == whole
    assert sum(line.quantity for line in outcome.reserved) == sum(ln.quantity for ln in lines)
