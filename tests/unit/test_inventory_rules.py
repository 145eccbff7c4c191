"""Inventory rules: reserve every line or none; a release gives back exactly what was taken;
a restock adds returned goods, to SKUs known or not."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from messaging.refusal import Refusal
from participants.inventory.rules import Line, release, reserve, restock, summed

STOCK = MappingProxyType({"SKU-1": 5, "SKU-2": 3, "SKU-3": 0})


def test_reservation_takes_every_line():
    levels = reserve(STOCK, [Line("SKU-1", 2), Line("SKU-2", 3)])

    assert levels == {"SKU-1": 3, "SKU-2": 0}


def test_one_short_line_refuses_the_whole_reservation():
    stock = {"SKU-1": 5, "SKU-2": 3}
    before = dict(stock)

    outcome = reserve(stock, [Line("SKU-1", 2), Line("SKU-2", 4)])

    assert outcome == Refusal("out_of_stock", "out of stock: SKU-2 (wanted 4, available 3)")
    assert stock == before  # nothing was taken, not even the line that fitted


def test_every_short_line_is_named():
    outcome = reserve(STOCK, [Line("SKU-3", 1), Line("SKU-1", 6)])

    assert outcome == Refusal(
        "out_of_stock",
        "out of stock: SKU-1 (wanted 6, available 5); SKU-3 (wanted 1, available 0)",
    )


def test_unknown_sku_is_refused():
    outcome = reserve(STOCK, [Line("SKU-1", 1), Line("NOPE-2", 1), Line("NOPE-1", 1)])

    assert outcome == Refusal("unknown_sku", "unknown SKU: NOPE-1, NOPE-2")


@pytest.mark.parametrize("quantity", [0, -1])
def test_non_positive_quantity_is_refused(quantity):
    outcome = reserve(STOCK, [Line("SKU-1", 1), Line("SKU-2", quantity)])

    assert isinstance(outcome, Refusal)
    assert outcome.code == "invalid_quantity"
    assert outcome.reason.startswith("SKU-2:")


def test_duplicate_skus_are_summed():
    assert reserve(STOCK, [Line("SKU-1", 2), Line("SKU-1", 3)]) == {"SKU-1": 0}


def test_duplicate_skus_are_summed_before_the_stock_check():
    outcome = reserve(STOCK, [Line("SKU-1", 3), Line("SKU-1", 3)])

    assert outcome == Refusal("out_of_stock", "out of stock: SKU-1 (wanted 6, available 5)")


def test_summed_adds_up_the_lines_of_a_sku_in_first_asked_order():
    lines = [Line("SKU-2", 1), Line("SKU-1", 2), Line("SKU-2", 3)]

    assert summed(lines) == [Line("SKU-2", 4), Line("SKU-1", 2)]


@pytest.mark.parametrize("quantity", [0, -1])
def test_summed_refuses_a_non_positive_quantity(quantity):
    assert summed([Line("SKU-1", 1), Line("SKU-1", quantity)]) == Refusal(
        "invalid_quantity", "SKU-1: quantity must be positive"
    )


def test_exact_stock_can_be_reserved():
    assert reserve(STOCK, [Line("SKU-1", 5)]) == {"SKU-1": 0}


def test_release_gives_back_the_lines():
    assert release({"SKU-1": 3, "SKU-2": 0}, [Line("SKU-1", 2), Line("SKU-2", 3)]) == {
        "SKU-1": 5,
        "SKU-2": 3,
    }


@pytest.mark.parametrize(
    "lines",
    [
        [Line("SKU-1", 2), Line("SKU-2", 3)],
        [Line("SKU-1", 1), Line("SKU-1", 4), Line("SKU-2", 1)],
        [Line("SKU-2", 3)],
    ],
)
def test_release_restores_exactly_what_was_reserved(lines):
    levels = reserve(STOCK, lines)
    assert isinstance(levels, dict)
    after_reserve = {**STOCK, **levels}

    restored = release(after_reserve, lines)

    assert {**after_reserve, **restored} == dict(STOCK)
    assert set(restored) == {line.sku for line in lines}


def test_release_of_a_sku_missing_from_stock_starts_from_zero():
    assert release({}, [Line("SKU-9", 4)]) == {"SKU-9": 4}


def test_restock_adds_each_line_to_its_stock():
    assert restock(STOCK, [Line("SKU-1", 2), Line("SKU-3", 4)]) == {"SKU-1": 7, "SKU-3": 4}


def test_restock_of_a_sku_unknown_to_stock_creates_it_with_the_quantity():
    assert restock(STOCK, [Line("NEW-1", 3)]) == {"NEW-1": 3}


def test_restock_sums_lines_of_one_sku():
    assert restock(STOCK, [Line("SKU-2", 1), Line("SKU-2", 2)]) == {"SKU-2": 6}


def test_restock_leaves_other_skus_alone():
    assert set(restock(STOCK, [Line("SKU-2", 1)])) == {"SKU-2"}


@pytest.mark.parametrize("quantity", [0, -1])
def test_restock_of_a_non_positive_quantity_is_a_bug(quantity):
    with pytest.raises(ValueError, match="SKU-1: a restocked quantity must be positive"):
        restock(STOCK, [Line("SKU-1", quantity)])
