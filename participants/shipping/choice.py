"""Which carrier takes a shipment, from its weight and its destination: shipping's own
rules and data, free of transport and storage. The command carries SKUs and quantities
only; the weights are shipping's.

Weight: each unit weighs what ``UNIT_GRAMS`` says for its SKU, or ``DEFAULT_UNIT_GRAMS``
(500 g) for a SKU it does not list; a shipment weighs the sum (no packaging added).

The carriers, tried in this order; the first whose destination and limit fit takes it:

| destination                    | weight up to     | carrier          |
|--------------------------------|------------------|------------------|
| the home country               | 2,000 g          | `letter-post`    |
| the home country               | 30,000 g         | `parcel-freight` |
| any other country              | 20,000 g         | `world-express`  |

Heavier than the last limit for its destination (30 kg at home, 20 kg abroad), a
shipment is refused: ``too_heavy``. The home country is ``SHIPPING_HOME_COUNTRY`` (``FR``
unless set: the demo's and the tests' orders go to France, in euros).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from messaging.refusal import Refusal

DEFAULT_HOME_COUNTRY = "FR"
DEFAULT_UNIT_GRAMS = 500

# The SKUs shipping knows the weight of (grams per unit, packed). Add a SKU here when it
# ships heavier or lighter than the default.
UNIT_GRAMS: Mapping[str, int] = {
    "BOOK-42": 450,
    "MUG-7": 350,
    "POSTCARD-1": 20,
    "KETTLEBELL-16": 16_000,
}


@dataclass(frozen=True)
class Band:
    """A carrier and what it takes: destinations at home or abroad, up to ``max_grams``."""

    carrier: str
    domestic: bool
    max_grams: int


CARRIERS: tuple[Band, ...] = (
    Band("letter-post", domestic=True, max_grams=2_000),
    Band("parcel-freight", domestic=True, max_grams=30_000),
    Band("world-express", domestic=False, max_grams=20_000),
)


def unit_grams(sku: str) -> int:
    """One unit of ``sku``: its weight in ``UNIT_GRAMS``, or ``DEFAULT_UNIT_GRAMS``."""
    return UNIT_GRAMS.get(sku, DEFAULT_UNIT_GRAMS)


def weight_grams(lines: Iterable[tuple[str, int]]) -> int:
    """The weight of ``(sku, quantity)`` lines, in grams."""
    return sum(unit_grams(sku) * quantity for sku, quantity in lines)


def choose_carrier(
    country: str, weight: int, *, home_country: str = DEFAULT_HOME_COUNTRY
) -> str | Refusal:
    """The carrier for ``weight`` grams to ``country`` (the table above), or ``too_heavy``."""
    domestic = country == home_country
    for band in CARRIERS:
        if band.domestic == domestic and weight <= band.max_grams:
            return band.carrier
    limit = max(band.max_grams for band in CARRIERS if band.domestic == domestic)
    where = "at home" if domestic else "abroad"
    return Refusal(
        "too_heavy",
        f"a shipment of {weight:,} g to {country} is over the {limit:,} g that any carrier "
        f"takes {where}",
    )
