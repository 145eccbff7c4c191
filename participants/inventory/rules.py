"""Inventory rules, free of transport and storage: reserve all lines or none, or (when the
order allows it) what is there of each line; a release gives back exactly what was
reserved; a restock puts returned goods back on the shelf."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from messaging.refusal import Refusal


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int


def summed(lines: Iterable[Line]) -> list[Line] | Refusal:
    """One line per SKU, the quantities of its lines added up, in the order the SKUs were
    first asked; refused (``invalid_quantity``) when a quantity is not positive."""
    wanted: dict[str, int] = {}
    for line in lines:
        if line.quantity <= 0:
            return Refusal("invalid_quantity", f"{line.sku}: quantity must be positive")
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    return [Line(sku, quantity) for sku, quantity in wanted.items()]


def reserve(available: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int] | Refusal:
    """New stock levels after reserving every line, or why nothing can be reserved."""
    asked = summed(lines)
    if isinstance(asked, Refusal):
        return asked
    wanted = {line.sku: line.quantity for line in asked}
    unknown = sorted(sku for sku in wanted if sku not in available)
    if unknown:
        return Refusal("unknown_sku", f"unknown SKU: {', '.join(unknown)}")
    short = [
        f"{sku} (wanted {qty}, available {available[sku]})"
        for sku, qty in sorted(wanted.items())
        if available[sku] < qty
    ]
    if short:
        return Refusal("out_of_stock", "out of stock: " + "; ".join(short))
    return {sku: available[sku] - qty for sku, qty in wanted.items()}


@dataclass(frozen=True)
class Taken:
    """What a reservation that allows less than asked takes: the new stock levels of the
    SKUs it took from, the lines reserved (each for what was there, at most what was
    asked) and the shortfall, one line per SKU in the order the SKUs were first asked.
    ``missing`` is empty when every line was there in full."""

    levels: dict[str, int]
    reserved: list[Line]
    missing: list[Line]


def reserve_available(available: Mapping[str, int], lines: Iterable[Line]) -> Taken | Refusal:
    """Reserve what is there of each line (``allow_partial``): min(available, asked) per
    SKU, lines of one SKU summed first. A SKU with no stock level counts as zero available
    (all or none refuses it as ``unknown_sku``; here it is only missing). Refused, as all
    or none refuses, when a quantity is not positive, or with ``out_of_stock`` when
    nothing at all is there (the reason names every line, wanted and available)."""
    asked = summed(lines)
    if isinstance(asked, Refusal):
        return asked
    wanted = {line.sku: line.quantity for line in asked}
    taken = {sku: min(max(available.get(sku, 0), 0), qty) for sku, qty in wanted.items()}
    if not any(taken.values()):
        short = [_none_of(sku, qty, available) for sku, qty in sorted(wanted.items())]
        return Refusal("out_of_stock", "out of stock: " + "; ".join(short))
    return Taken(
        levels={sku: available[sku] - qty for sku, qty in taken.items() if qty},
        reserved=[Line(sku, qty) for sku, qty in taken.items() if qty],
        missing=[Line(sku, wanted[sku] - qty) for sku, qty in taken.items() if qty < wanted[sku]],
    )


def _none_of(sku: str, wanted: int, available: Mapping[str, int]) -> str:
    if sku not in available:
        return f"{sku} (wanted {wanted}, unknown SKU)"
    return f"{sku} (wanted {wanted}, available {available[sku]})"


def release(available: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int]:
    """New stock levels after giving back a reservation's lines."""
    levels: dict[str, int] = {}
    for line in lines:
        levels[line.sku] = levels.get(line.sku, available.get(line.sku, 0)) + line.quantity
    return levels


def restock(available: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int]:
    """New stock levels once returned goods are back: each line adds its quantity. A SKU
    with no stock level starts from zero: the goods are physically here."""
    levels: dict[str, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise ValueError(f"{line.sku}: a restocked quantity must be positive")
        levels[line.sku] = levels.get(line.sku, available.get(line.sku, 0)) + line.quantity
    return levels
