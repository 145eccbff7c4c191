"""Shipping rules, free of transport and storage. The carrier is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Destination:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class Label:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


class Carrier(Protocol):
    def create_label(self, destination: Destination, parcels: int) -> Label | Refusal: ...


def create_shipment(carrier: Carrier, destination: Destination, units: int) -> Label | Refusal:
    if units <= 0:
        return Refusal("empty_shipment", "a shipment needs at least one unit")
    return carrier.create_label(destination, parcels=1 + (units - 1) // 20)
