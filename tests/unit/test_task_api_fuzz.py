"""The task API under fuzzing: whatever arrives as place_order's kwargs is either a valid
order or refused with a ValueError that says "invalid order" and names a field."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.saga_registry import definitions
from orchestrator.worker import validate_input
from sagas.checkout.input import Order

VALID: dict[str, Any] = {
    "order_id": "ord-1",
    "customer": {"id": "c-1", "email": "ada@example.com", "name": "Ada"},
    "items": [{"sku": "SKU-1", "quantity": 1, "unit_price_cents": 100}],
    "currency": "EUR",
    "payment_token": "tok_visa",
    "shipping_address": {
        "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB",
    },
}  # fmt: skip

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
PATHS = [
    ("order_id",), ("customer",), ("customer", "email"), ("customer", "id"), ("items",),
    ("currency",), ("payment_token",), ("shipping_address",), ("shipping_address", "country"),
]  # fmt: skip


def refused_or_valid(kwargs: Any) -> None:
    try:
        order = validate_input(definitions()["checkout"], kwargs, "order")
    except ValueError as exc:
        assert str(exc).startswith("invalid order: ")
        assert ":" in str(exc)[len("invalid order: ") :]  # "<field>: <what is wrong>"
    else:
        assert isinstance(order, Order)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(kwargs=st.dictionaries(st.text(max_size=20), junk, max_size=8))
def test_arbitrary_kwargs_are_refused_with_a_named_field(kwargs: dict[str, Any]) -> None:
    refused_or_valid(kwargs)


@settings(max_examples=300, database=None)
@given(path=st.sampled_from(PATHS), value=junk)
def test_one_wrong_field_is_named_in_the_refusal(path: tuple[str, ...], value: Any) -> None:
    kwargs = copy.deepcopy(VALID)
    target = kwargs
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        accepted = validate_input(definitions()["checkout"], kwargs, "order")
    except ValueError as exc:
        assert ".".join(path) in str(exc) or path[0] in str(exc)
    else:  # the fuzzer found a value that is valid there too (e.g. another currency)
        assert isinstance(accepted, Order)


@settings(max_examples=50, database=None)
@given(size=st.integers(min_value=201, max_value=100_000))
def test_oversized_fields_are_refused(size: int) -> None:
    kwargs = copy.deepcopy(VALID)
    kwargs["customer"]["name"] = "x" * size
    try:
        validate_input(definitions()["checkout"], kwargs, "order")
    except ValueError as exc:
        assert "customer.name" in str(exc)
    else:
        raise AssertionError("an oversized name was accepted")


def test_more_items_than_allowed_are_refused() -> None:
    kwargs = copy.deepcopy(VALID)
    kwargs["items"] = [
        {"sku": f"SKU-{i}", "quantity": 1, "unit_price_cents": 1} for i in range(101)
    ]
    try:
        validate_input(definitions()["checkout"], kwargs, "order")
    except ValueError as exc:
        assert "items" in str(exc)
    else:
        raise AssertionError("101 items were accepted")
