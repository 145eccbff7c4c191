"""Orders for ``sagactl submit``: from a JSON file (or stdin), or from flags; and reading
a JSON object from a file, stdin or the command line (``submit FILE``, ``start --input``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
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


def read_json_object(what: str, where: str, read: Callable[[], str]) -> dict[str, Any]:
    """The JSON object ``read`` gives; ``what`` and ``where`` name it in the errors."""
    try:
        found = json.loads(read())
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the {what} from {where}: {exc}") from None
    if not isinstance(found, dict):
        raise CommandError(f"the {what} in {where} must be a JSON object")
    return found


def read_file(name: str) -> str:
    """A file's text, or stdin's for ``-``."""
    return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")


def read_order_file(name: str) -> dict[str, Any]:
    return read_json_object("order", name, lambda: read_file(name))


def order_of(args: argparse.Namespace) -> dict[str, Any]:
    flags = {**ORDER_FLAGS, **_OPTIONAL_ORDER_FLAGS}
    given = [flag for dest, flag in flags.items() if getattr(args, dest, None)]
    if args.file is None:
        return order_from_flags(args)
    if given:
        raise UsageError(f"give FILE or the order flags, not both (got {', '.join(given)})")
    return read_order_file(args.file)


def add_order_arguments(submit: argparse.ArgumentParser) -> None:
    """``submit``'s FILE, or its order flags."""
    submit.epilog = (
        "Example: sagactl submit --order-id ord-1 --customer-id c-1 --email ada@example.com"
        " --name 'Ada Lovelace' --item SKU-1:2:1999 --token tok_visa --line1 '1 rue X'"
        " --city Paris --postal-code 75001 --country FR --wait"
    )
    submit.add_argument(
        "file", nargs="?", metavar="FILE", help="JSON object of the order ('-' for stdin)"
    )
    flags = submit.add_argument_group("order flags (instead of FILE)")
    flags.add_argument("--order-id", help="the idempotency key: same order id, same saga")
    flags.add_argument("--customer-id")
    flags.add_argument("--email")
    flags.add_argument("--name", help="customer name (and shipping name by default)")
    flags.add_argument(
        "--item",
        dest="items",
        action="append",
        type=parse_item,
        metavar="SKU:QTY:UNIT_PRICE_CENTS",
        help="an order line, repeatable",
    )
    flags.add_argument("--currency", help="ISO 4217 code (default EUR)")
    flags.add_argument("--token", help="payment token, e.g. tok_visa or tok_declined")
    flags.add_argument("--address-name", help="name on the parcel (default: --name)")
    for flag in ("--line1", "--city", "--postal-code"):
        flags.add_argument(flag)
    flags.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. FR")
