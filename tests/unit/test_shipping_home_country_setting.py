"""``SHIPPING_HOME_COUNTRY`` sets what shipping counts as domestic: ``FR`` unless set; a
value that is not a two-letter upper-case code stops the worker at start, naming it."""

from __future__ import annotations

import pytest

from participants.shipping.bootstrap import home_country, registry


def test_unset_it_is_france():
    assert home_country({}) == "FR"


def test_set_it_is_the_value():
    assert home_country({"SHIPPING_HOME_COUNTRY": "GB"}) == "GB"


@pytest.mark.parametrize("value", ["France", "fr", "F", ""])
def test_a_bad_value_stops_the_registry_being_built(value):
    with pytest.raises(ValueError, match=r"SHIPPING_HOME_COUNTRY=.*two-letter country code"):
        registry({"SHIPPING_HOME_COUNTRY": value})
