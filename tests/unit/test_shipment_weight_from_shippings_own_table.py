"""A shipment's weight comes from shipping's own per-SKU weights (the command carries only
SKUs and quantities): each listed SKU at its weight, any other at the default per unit."""

from __future__ import annotations

import pytest

from participants.shipping.choice import (
    DEFAULT_UNIT_GRAMS,
    UNIT_GRAMS,
    unit_grams,
    weight_grams,
)


@pytest.mark.parametrize(("sku", "grams"), [("BOOK-42", 450), ("MUG-7", 350)])
def test_a_listed_sku_weighs_what_the_table_says(sku, grams):
    assert UNIT_GRAMS[sku] == grams
    assert unit_grams(sku) == grams


def test_an_unknown_sku_weighs_the_default_per_unit():
    assert "SKU-NOBODY-LISTED" not in UNIT_GRAMS

    assert unit_grams("SKU-NOBODY-LISTED") == DEFAULT_UNIT_GRAMS == 500
    assert weight_grams([("SKU-NOBODY-LISTED", 3)]) == 1_500


def test_a_shipment_weighs_the_sum_of_its_lines():
    lines = [("BOOK-42", 2), ("MUG-7", 1), ("SKU-UNLISTED", 4)]

    assert weight_grams(lines) == 2 * 450 + 350 + 4 * 500


def test_nothing_weighs_nothing():
    assert weight_grams([]) == 0
