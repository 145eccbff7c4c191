"""Shipping rules, free of transport and storage. The carrier is passed in; which carrier
takes a shipment is shipping's own choice (participants/shipping/choice.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from messaging.refusal import Refusal
from participants.shipping import choice


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
class LabelRequest:
    """What a label is asked for: made by ``carrier`` (shipping's choice), for ``parcels``
    parcels (at least one) weighing ``weight_grams`` in all, to ``destination``. A class,
    not arguments, so that a field can be added without breaking an adapter."""

    carrier: str
    destination: Destination
    parcels: int
    weight_grams: int


@dataclass(frozen=True)
class Shipped:
    """A shipment's label, with the carrier shipping chose and the weight it chose by."""

    carrier: str
    tracking_number: str
    weight_grams: int


@dataclass(frozen=True)
class ReturnLabel:
    """A return label as shipping keeps it."""

    label_id: str
    return_id: str
    carrier: str
    tracking_number: str
    status: str  # created | voided


@runtime_checkable
class Carrier(Protocol):
    """The interface to the carriers: the fake one (carrier.py) or a real adapter, chosen
    by ``SHIPPING_CARRIER`` (``fake``, or ``module:factory``: a callable with no arguments
    returning an object with these three methods;
    docs/configuration.md#adapters-a-real-card-network-or-carrier).

    The factory is called once in each worker process, after fork, and once in a prefork
    worker's parent at start (a check: that one handles nothing). Read the carrier's own
    settings there; connect lazily, on first use.

    A business "no" (a destination not served) is a ``Refusal``, returned: its ``code``
    and ``reason`` reach the saga in ``ShipmentFailed`` or ``ReturnLabelRefused``. Raise
    when the carrier cannot be reached: ``OSError`` (``ConnectionError``,
    ``TimeoutError``) is retried with backoff, up to 8 attempts in all; any other
    exception is taken for a bug (3 attempts). Then the command is parked (``sagactl
    dlq``). A command whose transaction failed after the carrier answered is handled
    again, so a label may be asked for twice; the first is then never used.

    Shipping picks the carrier of each shipment (choice.py) and asks for a label *with
    that carrier*: one adapter reaches them all, as an aggregator's API does (Shippo,
    EasyPost), or dispatches to one client per carrier itself. It must offer every
    carrier of ``choice.CARRIERS``: one it cannot reach by that name is a configuration
    error, raised (parked), not a refusal. Shipping records and replies the carrier it
    chose."""

    def create_label(self, request: LabelRequest) -> Label | Refusal:
        """A label made by ``request.carrier`` for ``request.parcels`` parcels to
        ``request.destination``."""
        ...

    def create_return_label(self, origin: Destination, parcels: int) -> Label | Refusal:
        """A prepaid label for parcels sent back to us from ``origin``."""
        ...

    def void_label(self, tracking_number: str) -> None:
        """Cancel a label. Voiding a label twice is harmless; a carrier that cannot be
        reached raises (an infrastructure failure, retried)."""
        ...


def parcels_for(units: int) -> int:
    """Twenty units fit in a parcel."""
    return 1 + (units - 1) // 20


def create_shipment(
    carrier: Carrier,
    destination: Destination,
    lines: Sequence[tuple[str, int]],
    *,
    home_country: str = choice.DEFAULT_HOME_COUNTRY,
) -> Shipped | Refusal:
    """A label for ``(sku, quantity)`` lines to ``destination``, from the carrier chosen by
    their weight and the destination; refused without asking the carrier when there is
    nothing to ship or no carrier takes it (``too_heavy``)."""
    units = sum(quantity for _, quantity in lines)
    if units <= 0:
        return Refusal("empty_shipment", "a shipment needs at least one unit")
    weight = choice.weight_grams(lines)
    chosen = choice.choose_carrier(destination.country, weight, home_country=home_country)
    if isinstance(chosen, Refusal):
        return chosen
    request = LabelRequest(chosen, destination, parcels_for(units), weight)
    label = carrier.create_label(request)
    if isinstance(label, Refusal):
        return label
    return Shipped(chosen, label.tracking_number, weight)


def create_return_label(
    carrier: Carrier, origin: Destination, units: int, existing: ReturnLabel | None = None
) -> ReturnLabel | Label | Refusal:
    """The return's label: the one it already has, or a new one from the carrier. A return
    whose label was voided gets no other."""
    if existing is not None:
        if existing.status == "voided":
            return Refusal(
                "return_label_voided",
                f"the label {existing.label_id} of return {existing.return_id} was voided",
            )
        return existing
    if units <= 0:
        return Refusal("empty_return", "a return needs at least one unit")
    return carrier.create_return_label(origin, parcels=parcels_for(units))


def void_return_label(carrier: Carrier, label: ReturnLabel | None) -> bool:
    """Void a label once; True if it was voided now. An unknown or already voided label
    needs nothing."""
    if label is None or label.status == "voided":
        return False
    carrier.void_label(label.tracking_number)
    return True
