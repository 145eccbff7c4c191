"""Without ``allow_partial`` a reservation is all or none, as before partial reservations
existed: where a partial one would take part of the order, all or none refuses it whole
with the same codes and reasons as before."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from messaging.refusal import Refusal
from participants.inventory.rules import Line, Taken, reserve, reserve_available

STOCK = MappingProxyType({"SKU-1": 5, "SKU-2": 3, "SKU-3": 0})


@pytest.mark.parametrize(
    ("lines", "refusal"),
    [
        (
            [Line("SKU-1", 2), Line("SKU-2", 4)],
            Refusal("out_of_stock", "out of stock: SKU-2 (wanted 4, available 3)"),
        ),
        (
            [Line("SKU-3", 1), Line("SKU-1", 1)],
            Refusal("out_of_stock", "out of stock: SKU-3 (wanted 1, available 0)"),
        ),
        (
            [Line("SKU-1", 1), Line("NOPE", 1)],
            Refusal("unknown_sku", "unknown SKU: NOPE"),
        ),
    ],
)
def test_what_a_partial_reservation_takes_part_of_all_or_none_refuses(lines, refusal):
    assert isinstance(reserve_available(STOCK, lines), Taken)

    assert reserve(STOCK, lines) == refusal
