"""A SKU with no stock level counts as zero in stock when the order allows less than asked:
its line is missing, not refused. All or none still refuses it as ``unknown_sku``."""

from __future__ import annotations

from types import MappingProxyType

from messaging.refusal import Refusal
from participants.inventory.rules import Line, Taken, reserve, reserve_available

STOCK = MappingProxyType({"SKU-1": 5})


def test_an_unknown_sku_is_missing_beside_a_line_in_stock():
    outcome = reserve_available(STOCK, [Line("SKU-1", 2), Line("NOPE", 3)])

    assert outcome == Taken(
        levels={"SKU-1": 3}, reserved=[Line("SKU-1", 2)], missing=[Line("NOPE", 3)]
    )


def test_only_unknown_skus_are_out_of_stock():
    outcome = reserve_available(STOCK, [Line("NOPE-2", 1), Line("NOPE-1", 2)])

    assert outcome == Refusal(
        "out_of_stock",
        "out of stock: NOPE-1 (wanted 2, unknown SKU); NOPE-2 (wanted 1, unknown SKU)",
    )


def test_all_or_none_still_refuses_an_unknown_sku():
    outcome = reserve(STOCK, [Line("SKU-1", 2), Line("NOPE", 3)])

    assert outcome == Refusal("unknown_sku", "unknown SKU: NOPE")
