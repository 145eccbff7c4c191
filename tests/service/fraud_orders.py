"""What the fraud participant's service tests send: a ScreenOrder, and what its store holds."""

from __future__ import annotations

import uuid
from typing import Any

from messaging.contracts.fraud import ScreenOrder
from participants.fraud import store as fraud_store
from tests.service.harness import Participant


def screen_order(
    order_id: str | None = None,
    *,
    amount_cents: int = 2_500,
    country: str = "GB",
    token: str = "tok_visa",
) -> ScreenOrder:
    return ScreenOrder(
        order_id=order_id or f"ord-{uuid.uuid4().hex[:8]}",
        customer_id="cust-1",
        amount_cents=amount_cents,
        currency="EUR",
        country=country,
        payment_token=token,
    )


def screenings(fraud: Participant, order_id: str) -> list[dict[str, Any]]:
    with fraud.engine.begin() as conn:
        return fraud_store.screenings_of(conn, order_id)
