"""The task API: an invalid order is refused with the field named and nothing starts;
the same order_id twice starts one saga."""

from __future__ import annotations

import pytest

from tests.platform import RunningPlatform, new_sku, order


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o["items"][0].update(quantity=0), "items.0.quantity"),
        (lambda o: o["customer"].update(email="not-an-email"), "customer.email"),
        (lambda o: o["shipping_address"].pop("country"), "shipping_address.country"),
        (lambda o: o.update(currency="euro"), "currency"),
        (lambda o: o.update(items=[]), "items"),
        (lambda o: o.update(coupon="FREE"), "coupon"),
    ],
)
def test_invalid_order_is_refused_naming_the_field(
    platform: RunningPlatform, change: object, field: str
) -> None:
    submitted = order(sku=new_sku())
    change(submitted)  # type: ignore[operator]

    with pytest.raises(ValueError, match="invalid order") as refused:
        platform.call("orchestrator.place_order", **submitted)

    assert field in str(refused.value)
    with pytest.raises(LookupError, match="no saga"):
        platform.call("orchestrator.get_saga", order_id=submitted["order_id"])


def test_same_order_twice_starts_one_saga(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 10)
    submitted = order(sku=sku, quantity=2)

    first = platform.call("orchestrator.place_order", **submitted)
    second = platform.call("orchestrator.place_order", **submitted)
    saga = platform.wait_for_saga(first["saga_id"])
    third = platform.call("orchestrator.place_order", **submitted)

    assert first["saga_id"] == second["saga_id"] == third["saga_id"]
    assert (first["duplicate"], second["duplicate"], third["duplicate"]) == (False, True, True)
    assert third["state"] == "completed" == saga["state"]
    assert platform.stock(sku)["available"] == 8  # reserved once
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert len(payments["payments"]) == 1


def test_same_order_id_with_other_content_is_refused(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 10)
    submitted = order(sku=sku, quantity=1)
    platform.call("orchestrator.place_order", **submitted)
    submitted["items"][0]["quantity"] = 5

    with pytest.raises(ValueError, match="already submitted with different content"):
        platform.call("orchestrator.place_order", **submitted)
