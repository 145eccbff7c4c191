"""Orders for ``sagactl submit``: from a JSON file (or stdin), or from flags."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from console.errors import UsageError
from saga_client.tasks import CommandError


def parse_item(text: str) -> dict[str, Any]:
    """``SKU:QTY:UNIT_PRICE_CENTS`` as an order item (a SKU may itself contain colons)."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        raise argparse.ArgumentTypeError(
            f"item {text!r} is not SKU:QTY:UNIT_PRICE_CENTS (e.g. SKU-1:2:1999)"
        )
    sku, quantity, price = parts
    if not quantity.isdigit() or int(quantity) < 1:
        raise argparse.ArgumentTypeError(
            f"item {text!r}: quantity {quantity!r} is not a positive integer"
        )
    if not price.isdigit():
        raise argparse.ArgumentTypeError(
            f"item {text!r}: unit price {price!r} is not a whole number of cents"
        )
    return {"sku": sku, "quantity": int(quantity), "unit_price_cents": int(price)}


# The order flags of `submit` that have no default, by argparse dest.
ORDER_FLAGS = {
    "order_id": "--order-id",
    "customer_id": "--customer-id",
    "email": "--email",
    "name": "--name",
    "items": "--item",
    "token": "--token",
    "line1": "--line1",
    "city": "--city",
    "postal_code": "--postal-code",
    "country": "--country",
}
_OPTIONAL_ORDER_FLAGS = {"currency": "--currency", "address_name": "--address-name"}


def order_from_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The ``orchestrator.place_order`` kwargs from the order flags of ``submit``."""
    missing = [flag for dest, flag in ORDER_FLAGS.items() if not getattr(args, dest, None)]
    if missing:
        raise UsageError(f"give FILE, or the order flags; missing: {', '.join(missing)}")
    return {
        "order_id": args.order_id,
        "customer": {"id": args.customer_id, "email": args.email, "name": args.name},
        "items": list(args.items),
        "currency": args.currency or "EUR",
        "payment_token": args.token,
        "shipping_address": {
            "name": args.address_name or args.name,
            "line1": args.line1,
            "city": args.city,
            "postal_code": args.postal_code,
            "country": args.country,
        },
    }


def read_order_file(name: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        order = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the order from {name}: {exc}") from None
    if not isinstance(order, dict):
        raise CommandError(f"the order in {name} must be a JSON object")
    return order


def order_of(args: argparse.Namespace) -> dict[str, Any]:
    flags = {**ORDER_FLAGS, **_OPTIONAL_ORDER_FLAGS}
    given = [flag for dest, flag in flags.items() if getattr(args, dest, None)]
    if args.file is None:
        return order_from_flags(args)
    if given:
        raise UsageError(f"give FILE or the order flags, not both (got {', '.join(given)})")
    return read_order_file(args.file)
