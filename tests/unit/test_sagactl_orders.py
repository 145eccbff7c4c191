"""sagactl's orders: the ``--item`` parser, an order from ``submit``'s flags, or from a file."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from console import cli
from console.cli.orders import order_of, parse_item, read_order_file
from saga_client.tasks import CommandError
from sagas.checkout.input import Order


def test_item_parser() -> None:
    assert parse_item("SKU-1:2:1999") == {
        "sku": "SKU-1",
        "quantity": 2,
        "unit_price_cents": 1999,
    }
    assert parse_item("ns:SKU-1:1:0") == {
        "sku": "ns:SKU-1",
        "quantity": 1,
        "unit_price_cents": 0,
    }


# the flags of the valid order of tests/unit/conftest.py (its ``order`` fixture)
ORDER_FLAGS = [
    "--order-id", "ord-1", "--customer-id", "cus-1", "--email", "ada@example.com",
    "--name", "Ada Lovelace", "--item", "SKU-1:2:1250", "--item", "SKU-2:1:500",
    "--token", "tok_visa", "--line1", "1 Main St", "--city", "London", "--postal-code", "N1 9GU",
    "--country", "GB",
]  # fmt: skip


def _submit_args(*extra: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["submit", *ORDER_FLAGS, *extra])


def test_order_from_flags_is_a_valid_order(order: dict[str, Any]) -> None:
    from_flags = order_of(_submit_args())

    assert from_flags == order
    assert Order.model_validate(from_flags).total_cents == 2 * 1250 + 500


def test_order_flags_override_the_defaults() -> None:
    order = order_of(_submit_args("--currency", "USD", "--address-name", "Front desk"))
    assert order["currency"] == "USD"
    assert order["shipping_address"]["name"] == "Front desk"
    assert order["customer"]["name"] == "Ada Lovelace"


def test_order_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "order.json"
    path.write_text('{"order_id": "ord-7"}', encoding="utf-8")
    assert order_of(cli.build_parser().parse_args(["submit", str(path)])) == {"order_id": "ord-7"}
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CommandError, match="must be a JSON object"):
        read_order_file(str(path))
    with pytest.raises(CommandError, match="cannot read the order from"):
        read_order_file(str(tmp_path / "missing.json"))
