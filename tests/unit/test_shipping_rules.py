"""Shipping rules with the fake carrier: country ZZ is refused, everything else gets a label."""

from __future__ import annotations

import re

import pytest

from participants.shipping.carrier import FakeCarrier
from participants.shipping.rules import Destination, Label, Refusal, create_shipment


def destination(country: str) -> Destination:
    return Destination("Ada Lovelace", "1 Main St", "London", "N1 9GU", country)


class RecordingCarrier:
    def __init__(self) -> None:
        self.parcels: list[int] = []

    def create_label(self, destination: Destination, parcels: int) -> Label | Refusal:
        self.parcels.append(parcels)
        return Label(carrier="rec", tracking_number=f"T{parcels}")


@pytest.mark.parametrize("country", ["GB", "DE", "US", "FR"])
def test_other_countries_get_a_label(country):
    outcome = create_shipment(FakeCarrier(), destination(country), units=3)

    assert isinstance(outcome, Label)
    assert outcome.carrier == "fake-post"
    assert re.fullmatch(r"FP[0-9A-F]{12}", outcome.tracking_number)


def test_each_label_has_its_own_tracking_number():
    first = create_shipment(FakeCarrier(), destination("GB"), units=1)
    second = create_shipment(FakeCarrier(), destination("GB"), units=1)

    assert isinstance(first, Label)
    assert isinstance(second, Label)
    assert first.tracking_number != second.tracking_number


def test_country_zz_is_refused():
    outcome = create_shipment(FakeCarrier(), destination("ZZ"), units=3)

    assert outcome == Refusal("destination_refused", "fake-post does not deliver to ZZ")


@pytest.mark.parametrize("units", [0, -2])
def test_empty_shipment_is_refused_without_the_carrier(units):
    carrier = RecordingCarrier()

    outcome = create_shipment(carrier, destination("GB"), units=units)

    assert outcome == Refusal("empty_shipment", "a shipment needs at least one unit")
    assert carrier.parcels == []


@pytest.mark.parametrize(
    ("units", "parcels"), [(1, 1), (20, 1), (21, 2), (40, 2), (41, 3), (100, 5)]
)
def test_twenty_units_fit_in_a_parcel(units, parcels):
    carrier = RecordingCarrier()

    outcome = create_shipment(carrier, destination("GB"), units=units)

    assert outcome == Label(carrier="rec", tracking_number=f"T{parcels}")
    assert carrier.parcels == [parcels]
