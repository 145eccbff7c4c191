"""Shared fixtures for the unit tests: a valid order, a deterministic message id factory, and
sagactl on its stand-in for the Celery app."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from tests.unit.sagactl_stand_in import Sagactl


@pytest.fixture
def order() -> dict[str, Any]:
    """A valid order as a client submits it: 2 x 12.50 + 1 x 5.00 = 30.00 EUR."""
    return {
        "order_id": "ord-1",
        "customer": {"id": "cus-1", "email": "ada@example.com", "name": "Ada Lovelace"},
        "items": [
            {"sku": "SKU-1", "quantity": 2, "unit_price_cents": 1250},
            {"sku": "SKU-2", "quantity": 1, "unit_price_cents": 500},
        ],
        "currency": "EUR",
        "payment_token": "tok_visa",
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "1 Main St",
            "city": "London",
            "postal_code": "N1 9GU",
            "country": "GB",
        },
    }


@pytest.fixture
def new_id() -> Callable[[], str]:
    """Message ids cmd-1, cmd-2, ... in the order the engine asks for them."""
    counter = count(1)
    return lambda: f"cmd-{next(counter)}"


@pytest.fixture
def sagactl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Sagactl:
    """sagactl on the stand-in for the Celery app (tests/unit/sagactl_stand_in.py)."""
    return Sagactl(monkeypatch, capsys)
