"""Shipping rules with the fake carrier: a shipment's label is asked of the carrier shipping
chose, with its parcels and weight; country ZZ is refused, everything else gets a label;
return labels, once per return, refused from postal code 00000; voiding, once."""

from __future__ import annotations

import re

import pytest

from messaging.refusal import Refusal
from participants.shipping.carrier import FakeCarrier
from participants.shipping.rules import (
    Destination,
    Label,
    LabelRequest,
    ReturnLabel,
    Shipped,
    create_return_label,
    create_shipment,
    void_return_label,
)


def destination(country: str, postal_code: str = "N1 9GU") -> Destination:
    return Destination("Ada Lovelace", "1 Main St", "London", postal_code, country)


class RecordingCarrier:
    def __init__(self) -> None:
        self.requests: list[LabelRequest] = []
        self.return_parcels: list[int] = []
        self.voided: list[str] = []

    @property
    def parcels(self) -> list[int]:
        return [request.parcels for request in self.requests]

    def create_label(self, request: LabelRequest) -> Label | Refusal:
        self.requests.append(request)
        return Label(carrier=request.carrier, tracking_number=f"T{request.parcels}")

    def create_return_label(self, origin: Destination, parcels: int) -> Label | Refusal:
        self.return_parcels.append(parcels)
        return Label(carrier="rec", tracking_number=f"R{parcels}")

    def void_label(self, tracking_number: str) -> None:
        self.voided.append(tracking_number)


def return_label(status: str = "created") -> ReturnLabel:
    return ReturnLabel("rl_1", "RET-1", "rec", "R1", status)


def lines(units: int, sku: str = "SKU-1") -> list[tuple[str, int]]:
    return [(sku, units)]


@pytest.mark.parametrize(
    ("country", "carrier"),
    [("FR", "letter-post"), ("GB", "world-express"), ("DE", "world-express")],
)
def test_the_fake_carrier_labels_with_the_carrier_chosen(country, carrier):
    outcome = create_shipment(FakeCarrier(), destination(country), lines(3))

    assert isinstance(outcome, Shipped)
    assert (outcome.carrier, outcome.weight_grams) == (carrier, 1_500)
    assert re.fullmatch(r"FP[0-9A-F]{12}", outcome.tracking_number)


def test_each_label_has_its_own_tracking_number():
    first = create_shipment(FakeCarrier(), destination("GB"), lines(1))
    second = create_shipment(FakeCarrier(), destination("GB"), lines(1))

    assert isinstance(first, Shipped)
    assert isinstance(second, Shipped)
    assert first.tracking_number != second.tracking_number


def test_country_zz_is_refused_naming_the_carrier_chosen():
    outcome = create_shipment(FakeCarrier(), destination("ZZ"), lines(3))

    assert outcome == Refusal("destination_refused", "world-express does not deliver to ZZ")


@pytest.mark.parametrize("units", [0, -2])
def test_empty_shipment_is_refused_without_the_carrier(units):
    carrier = RecordingCarrier()

    outcome = create_shipment(carrier, destination("GB"), lines(units))

    assert outcome == Refusal("empty_shipment", "a shipment needs at least one unit")
    assert carrier.requests == []


def test_the_carrier_is_asked_for_a_label_with_the_carrier_parcels_and_weight():
    carrier = RecordingCarrier()
    to = destination("FR")

    outcome = create_shipment(carrier, to, [("BOOK-42", 2), ("MUG-7", 1)], home_country="FR")

    assert carrier.requests == [LabelRequest("letter-post", to, parcels=1, weight_grams=1_250)]
    assert outcome == Shipped("letter-post", "T1", weight_grams=1_250)


def test_a_too_heavy_shipment_is_refused_without_the_carrier():
    carrier = RecordingCarrier()

    outcome = create_shipment(carrier, destination("GB"), lines(41))  # 20.5 kg abroad

    assert isinstance(outcome, Refusal)
    assert outcome.code == "too_heavy"
    assert carrier.requests == []


@pytest.mark.parametrize(
    ("units", "parcels"), [(1, 1), (20, 1), (21, 2), (40, 2), (41, 3), (100, 5)]
)
def test_twenty_units_fit_in_a_parcel(units, parcels):
    carrier = RecordingCarrier()

    outcome = create_shipment(carrier, destination("GB"), lines(units, sku="POSTCARD-1"))

    assert outcome == Shipped("world-express", f"T{parcels}", weight_grams=20 * units)
    assert carrier.parcels == [parcels]


# --- return labels ------------------------------------------------------------------------


@pytest.mark.parametrize(("units", "parcels"), [(1, 1), (20, 1), (21, 2), (100, 5)])
def test_a_return_gets_a_label_for_its_parcels(units, parcels):
    carrier = RecordingCarrier()

    outcome = create_return_label(carrier, destination("GB"), units)

    assert outcome == Label(carrier="rec", tracking_number=f"R{parcels}")
    assert carrier.return_parcels == [parcels]


def test_a_return_that_has_a_label_gets_the_same_one_without_the_carrier():
    carrier = RecordingCarrier()

    assert create_return_label(carrier, destination("GB"), 3, return_label()) == return_label()
    assert carrier.return_parcels == []


def test_a_return_whose_label_was_voided_gets_no_other():
    carrier = RecordingCarrier()

    outcome = create_return_label(carrier, destination("GB"), 3, return_label("voided"))

    assert outcome == Refusal("return_label_voided", "the label rl_1 of return RET-1 was voided")
    assert carrier.return_parcels == []


@pytest.mark.parametrize("units", [0, -1])
def test_an_empty_return_is_refused_without_the_carrier(units):
    carrier = RecordingCarrier()

    outcome = create_return_label(carrier, destination("GB"), units)

    assert outcome == Refusal("empty_return", "a return needs at least one unit")
    assert carrier.return_parcels == []


def test_the_fake_carrier_makes_return_labels_with_their_own_tracking_numbers():
    first = create_return_label(FakeCarrier(), destination("GB"), 2)
    second = create_return_label(FakeCarrier(), destination("GB"), 2)

    assert isinstance(first, Label)
    assert isinstance(second, Label)
    assert first.carrier == "fake-post"
    assert re.fullmatch(r"FPR[0-9A-F]{12}", first.tracking_number)
    assert first.tracking_number != second.tracking_number


def test_the_fake_carrier_refuses_return_labels_from_postal_code_00000():
    outcome = create_return_label(FakeCarrier(), destination("GB", postal_code="00000"), 2)

    assert outcome == Refusal(
        "return_refused", "fake-post refuses return labels from postal code 00000"
    )


def test_the_fake_carrier_does_not_collect_from_zz():
    outcome = create_return_label(FakeCarrier(), destination("ZZ"), 2)

    assert outcome == Refusal("origin_refused", "fake-post does not collect from ZZ")


def test_a_created_label_is_voided_at_the_carrier():
    carrier = RecordingCarrier()

    assert void_return_label(carrier, return_label()) is True
    assert carrier.voided == ["R1"]


@pytest.mark.parametrize("label", [None, return_label("voided")], ids=["unknown", "voided"])
def test_an_unknown_or_voided_label_needs_no_carrier(label):
    carrier = RecordingCarrier()

    assert void_return_label(carrier, label) is False
    assert carrier.voided == []


def test_the_fake_carrier_voids_any_label_any_number_of_times():
    carrier = FakeCarrier()

    carrier.void_label("FPR000000000000")  # never made: no error
    carrier.void_label("FPR000000000000")
