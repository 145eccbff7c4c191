"""A shipment heavier than any carrier takes to its destination (30 kg at home, 20 kg
abroad) is refused with ``too_heavy``, on a real store: ``ShipmentFailed`` carries the
code (the saga then compensates, as for any ShipmentFailed), and nothing is recorded."""

from __future__ import annotations

import uuid

import pytest

from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.shipping import CreateShipment, ShipmentFailed
from participants.shipping import store as shipping_store

pytestmark = pytest.mark.service


@pytest.mark.parametrize(
    ("country", "kettlebells", "reason"),
    [
        (
            "FR",
            2,
            "a shipment of 32,000 g to FR is over the 30,000 g that any carrier takes at home",
        ),
        (
            "GB",
            2,
            "a shipment of 32,000 g to GB is over the 20,000 g that any carrier takes abroad",
        ),
    ],
    ids=["at-home", "abroad"],
)
def test_too_heavy_is_refused_with_its_code_and_nothing_recorded(
    shipping, country, kettlebells, reason
):
    order_id = f"ord-{uuid.uuid4().hex[:8]}"
    address = ShippingAddress(
        name="Ada Lovelace", line1="1 Main St", city="Town", postal_code="12345", country=country
    )
    items = [StockLine(sku="KETTLEBELL-16", quantity=kettlebells)]

    reply = shipping.send(CreateShipment(order_id=order_id, address=address, items=items))

    assert reply == ShipmentFailed(order_id=order_id, code="too_heavy", reason=reason)
    with shipping.engine.begin() as conn:
        assert shipping_store.shipments_of(conn, order_id) == []
