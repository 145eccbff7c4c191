"""The submitted order (sagas/checkout/input.py): a valid one is accepted with its total,
and each invalid field is named."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from sagas.checkout.input import Order


def order_errors(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as exc_info:
        Order.model_validate(data)
    return [
        (".".join(str(p) for p in e["loc"]), e["type"], e["msg"]) for e in exc_info.value.errors()
    ]


def test_valid_order_is_accepted(order):
    parsed = Order.model_validate(order)

    assert parsed.order_id == "ord-1"
    assert parsed.customer.email == "ada@example.com"
    assert [(i.sku, i.quantity, i.unit_price_cents) for i in parsed.items] == [
        ("SKU-1", 2, 1250),
        ("SKU-2", 1, 500),
    ]
    assert parsed.shipping_address.country == "GB"


def test_total_cents_is_the_sum_of_the_lines(order):
    assert Order.model_validate(order).total_cents == 2 * 1250 + 1 * 500

    order["items"].append({"sku": "SKU-3", "quantity": 3, "unit_price_cents": 0})
    order["items"].append({"sku": "SKU-4", "quantity": 7, "unit_price_cents": 99})
    assert Order.model_validate(order).total_cents == 3000 + 0 + 693


def test_bad_email_is_named(order):
    order["customer"]["email"] = "not-an-email"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("customer.email", "value_error")


def test_zero_quantity_is_named(order):
    order["items"][1]["quantity"] = 0

    assert order_errors(order) == [
        ("items.1.quantity", "greater_than", "Input should be greater than 0")
    ]


def test_negative_price_is_named(order):
    order["items"][0]["unit_price_cents"] = -1

    assert order_errors(order) == [
        (
            "items.0.unit_price_cents",
            "greater_than_equal",
            "Input should be greater than or equal to 0",
        )
    ]


def test_missing_country_is_named(order):
    del order["shipping_address"]["country"]

    assert order_errors(order) == [("shipping_address.country", "missing", "Field required")]


def test_lowercase_country_is_named(order):
    order["shipping_address"]["country"] = "gb"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("shipping_address.country", "string_pattern_mismatch")


def test_duplicate_sku_is_refused_naming_items(order):
    order["items"].append(copy.deepcopy(order["items"][0]))

    [(loc, kind, msg)] = order_errors(order)
    assert (loc, kind) == ("", "value_error")
    assert msg == "Value error, items: each sku may appear only once"


def test_extra_unknown_field_is_named(order):
    order["coupon"] = "FREE"

    assert order_errors(order) == [("coupon", "extra_forbidden", "Extra inputs are not permitted")]


def test_quantity_must_be_a_real_integer(order):
    order["items"][0]["quantity"] = "2"

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("items.0.quantity", "int_type")


@pytest.mark.parametrize("value", ["true", 1, None, "yes"])
def test_allow_partial_must_be_a_real_boolean(order, value):
    order["allow_partial"] = value

    [(loc, kind, _msg)] = order_errors(order)
    assert (loc, kind) == ("allow_partial", "bool_type")
