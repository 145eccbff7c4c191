"""Shipping picks each shipment's carrier by destination and weight (choice.py's table):
at home, light parcels by letter post and heavy ones by freight; abroad, by express; over
the heaviest limit for the destination, ``too_heavy``. The limits are inclusive."""

from __future__ import annotations

import pytest

from messaging.refusal import Refusal
from participants.shipping.choice import CARRIERS, DEFAULT_HOME_COUNTRY, choose_carrier


def test_home_is_france_unless_set():
    assert DEFAULT_HOME_COUNTRY == "FR"


@pytest.mark.parametrize("grams", [1, 450, 2_000])
def test_a_light_domestic_shipment_goes_by_letter_post(grams):
    assert choose_carrier("FR", grams) == "letter-post"


@pytest.mark.parametrize("grams", [2_001, 16_000, 30_000])
def test_a_heavy_domestic_shipment_goes_by_freight(grams):
    assert choose_carrier("FR", grams) == "parcel-freight"


@pytest.mark.parametrize(("country", "grams"), [("GB", 1), ("DE", 2_500), ("US", 20_000)])
def test_an_international_shipment_goes_by_express(country, grams):
    assert choose_carrier(country, grams) == "world-express"


def test_too_heavy_at_home_is_refused():
    assert choose_carrier("FR", 30_001) == Refusal(
        "too_heavy",
        "a shipment of 30,001 g to FR is over the 30,000 g that any carrier takes at home",
    )


def test_too_heavy_abroad_is_refused_below_the_domestic_limit():
    assert choose_carrier("GB", 20_001) == Refusal(
        "too_heavy",
        "a shipment of 20,001 g to GB is over the 20,000 g that any carrier takes abroad",
    )


def test_the_home_country_setting_decides_what_is_domestic():
    assert choose_carrier("GB", 500, home_country="GB") == "letter-post"
    assert choose_carrier("FR", 500, home_country="GB") == "world-express"
    assert choose_carrier("GB", 25_000, home_country="GB") == "parcel-freight"


def test_every_carrier_of_the_table_is_reachable():
    chosen = {choose_carrier(c, g) for c in ("FR", "GB") for g in (1, 2_001)}

    assert chosen == {band.carrier for band in CARRIERS}
