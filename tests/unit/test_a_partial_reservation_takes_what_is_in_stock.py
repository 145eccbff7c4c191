"""A reservation that allows less than asked (``allow_partial``) takes, line by line, what
is in stock up to what was asked, and names the shortfall of each line."""

from __future__ import annotations

from types import MappingProxyType

from participants.inventory.rules import Line, Taken, reserve_available

STOCK = MappingProxyType({"SKU-1": 5, "SKU-2": 3, "SKU-3": 0})


def test_two_lines_one_short_reserve_all_of_one_and_what_is_left_of_the_other():
    outcome = reserve_available(STOCK, [Line("SKU-1", 2), Line("SKU-2", 4)])

    assert outcome == Taken(
        levels={"SKU-1": 3, "SKU-2": 0},
        reserved=[Line("SKU-1", 2), Line("SKU-2", 3)],
        missing=[Line("SKU-2", 1)],
    )


def test_a_line_with_nothing_in_stock_is_all_missing():
    outcome = reserve_available(STOCK, [Line("SKU-3", 2), Line("SKU-1", 1)])

    assert outcome == Taken(
        levels={"SKU-1": 4}, reserved=[Line("SKU-1", 1)], missing=[Line("SKU-3", 2)]
    )


def test_one_line_short_reserves_what_there_is_of_it():
    outcome = reserve_available(STOCK, [Line("SKU-1", 8)])

    assert outcome == Taken(
        levels={"SKU-1": 0}, reserved=[Line("SKU-1", 5)], missing=[Line("SKU-1", 3)]
    )


def test_lines_of_one_sku_are_summed_before_what_is_there_is_taken():
    outcome = reserve_available(STOCK, [Line("SKU-2", 2), Line("SKU-1", 1), Line("SKU-2", 2)])

    assert outcome == Taken(
        levels={"SKU-2": 0, "SKU-1": 4},
        reserved=[Line("SKU-2", 3), Line("SKU-1", 1)],
        missing=[Line("SKU-2", 1)],
    )


def test_stock_taken_plus_stock_left_is_the_stock_before():
    lines = [Line("SKU-1", 7), Line("SKU-2", 1), Line("SKU-3", 4)]

    outcome = reserve_available(STOCK, lines)

    assert isinstance(outcome, Taken)
    for line in outcome.reserved:
        assert outcome.levels[line.sku] + line.quantity == STOCK[line.sku]
    asked = {"SKU-1": 7, "SKU-2": 1, "SKU-3": 4}
    missing = {line.sku: line.quantity for line in outcome.missing}
    for line in outcome.reserved:
        assert line.quantity + missing.get(line.sku, 0) == asked[line.sku]
