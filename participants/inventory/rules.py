"""Inventory rules, free of transport and storage: reserve all lines or none; a release
gives back exactly what was reserved; a restock puts returned goods back on the shelf."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from messaging.refusal import Refusal


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int


def reserve(available: Mapping[str, int], lines: Iterable[Line]) -> dict[str, int] | Refusal:
    """New stock levels after reserving every line, or why nothing can be reserved."""
    wanted: dict[str, int] = {}
    for line in lines:
        if line.quantity <= 0:
            return Refusal("invalid_quantity", f"{line.sku}: quantity must be positive")
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
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
