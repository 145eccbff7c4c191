"""The returns saga's admission check, on the orchestrator's own data: what was bought,
what earlier returns took; every refusal names the field and the reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from orchestrator.definition import AdmissionContext, Admitted, Refused, SagaRecord
from sagas.returns.definition import RETURNS_SAGA, admit
from sagas.returns.input import ReturnRequest

ORDER = {
    "order_id": "ord-1",
    "customer": {"id": "c-1", "email": "ada@example.com", "name": "Ada"},
    "items": [
        {"sku": "MUG", "quantity": 3, "unit_price_cents": 1250},
        {"sku": "PEN", "quantity": 1, "unit_price_cents": 199},
    ],
    "currency": "EUR",
    "payment_token": "tok_visa",
    "shipping_address": {
        "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB",
    },
}  # fmt: skip


class Lookup:
    """The orchestrator's sagas as a definition sees them, held in memory."""

    def __init__(self, *sagas: SagaRecord) -> None:
        self.sagas = sagas

    def get(self, definition: str, business_key: str) -> SagaRecord | None:
        found = [
            s for s in self.sagas if (s.definition, s.business_key) == (definition, business_key)
        ]
        return found[0] if found else None

    def children(self, definition: str, parent_key: str) -> Sequence[SagaRecord]:
        return [
            s for s in self.sagas
            if s.definition == definition and s.data.get("return", {}).get("order_id") == parent_key
        ]  # fmt: skip


def checkout(status: str = "completed") -> SagaRecord:
    return SagaRecord("s-1", "checkout", "ord-1", status, {"order": ORDER, "payment_id": "pay_1"})


def earlier_return(return_id: str, status: str, **lines: int) -> SagaRecord:
    data = {
        "return": {"return_id": return_id, "order_id": "ord-1"},
        "lines": [{"sku": sku, "quantity": q, "unit_price_cents": 0} for sku, q in lines.items()],
    }
    return SagaRecord(f"s-{return_id}", "returns", return_id, status, data)


def request(**lines: int) -> ReturnRequest:
    return ReturnRequest.model_validate(
        {
            "return_id": "ret-9",
            "order_id": "ord-1",
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "reason": "too big",
        }
    )


def check(lookup: Lookup, **lines: int) -> Admitted | Refused:
    return admit(request(**lines), AdmissionContext(lookup, settings={}))


def test_a_partial_return_is_priced_as_bought_and_linked_to_its_order():
    admitted = check(Lookup(checkout()), MUG=2)
    assert isinstance(admitted, Admitted)
    assert admitted.parent_key == "ord-1"
    data: dict[str, Any] = dict(admitted.data)
    assert data["lines"] == [{"sku": "MUG", "quantity": 2, "unit_price_cents": 1250}]
    assert (data["refund_cents"], data["currency"], data["payment_id"]) == (2500, "EUR", "pay_1")
    assert data["address"]["country"] == "GB"
    assert RETURNS_SAGA.summary(data) == {"order": "ord-1", "refund": "25.00 EUR"}


def test_an_order_that_does_not_exist_is_refused():
    assert check(Lookup(), MUG=1) == Refused(
        "order_id: no order 'ord-1' (a return needs its order)"
    )


@pytest.mark.parametrize("status", ["running", "awaiting_approval", "compensated", "failed"])
def test_an_order_that_is_not_completed_is_refused(status: str):
    refused = check(Lookup(checkout(status)), MUG=1)
    assert isinstance(refused, Refused)
    assert refused.reason.startswith(f"order_id: order 'ord-1' is {status}, not completed")


def test_more_than_was_bought_is_refused_naming_the_line():
    refused = check(Lookup(checkout()), PEN=1, MUG=4)
    assert refused == Refused(
        "return refused: lines.1.quantity: 4 x MUG asked, but 3 were bought "
        "and 0 already returned (3 left)"
    )


def test_a_sku_not_in_the_order_is_refused():
    refused = check(Lookup(checkout()), HAT=1)
    assert refused == Refused("return refused: lines.0.sku: HAT is not in order ord-1")


def test_lines_held_by_earlier_returns_cannot_be_returned_again():
    lookup = Lookup(
        checkout(),
        earlier_return("ret-1", "completed", MUG=2),
        earlier_return("ret-2", "running", PEN=1),
    )
    assert isinstance(check(lookup, MUG=1), Admitted)
    refused = check(lookup, MUG=2)
    assert isinstance(refused, Refused)
    assert "2 x MUG asked, but 3 were bought and 2 already returned (1 left)" in refused.reason
    refused = check(lookup, PEN=1)
    assert isinstance(refused, Refused)
    assert "lines.0.quantity: 1 x PEN asked" in refused.reason


def test_a_rejected_return_gives_its_lines_back():
    lookup = Lookup(checkout(), earlier_return("ret-1", "compensated", MUG=3))
    assert isinstance(check(lookup, MUG=3), Admitted)


def partly_reserved() -> SagaRecord:
    """A checkout (version 2) that got 1 of the 3 mugs and no pen: charged 12.50."""
    data = {"order": ORDER, "payment_id": "pay_1", "reserved": [{"sku": "MUG", "quantity": 1}]}
    return SagaRecord("s-1", "checkout", "ord-1", "completed", data)


def test_a_partly_reserved_order_gives_back_at_most_what_it_got():
    admitted = check(Lookup(partly_reserved()), MUG=1)
    assert isinstance(admitted, Admitted)
    assert admitted.data["refund_cents"] == 1250

    too_many = check(Lookup(partly_reserved()), MUG=2)
    assert isinstance(too_many, Refused)
    assert "lines.0.quantity: 2 x MUG asked, but 1 were bought" in too_many.reason
    never_got = check(Lookup(partly_reserved()), PEN=1)
    assert isinstance(never_got, Refused)
    assert "lines.0.sku: PEN is not in order ord-1" in never_got.reason
