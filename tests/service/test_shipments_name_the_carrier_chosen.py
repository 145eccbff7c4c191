"""Shipping picks each shipment's carrier by destination and weight, on a real store: the
reply names the carrier chosen, the store keeps it with the weight it was chosen by,
``shipping.get_shipments`` and the order trail show both, and a command delivered again
answers its first shipment. ``SHIPPING_HOME_COUNTRY`` moves what counts as domestic."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from messaging.codec import decode
from messaging.contracts import Envelope
from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.shipping import CreateShipment, ShipmentCreated
from participants.shipping import bootstrap
from participants.shipping import store as shipping_store
from tests.service.harness import Participant

pytestmark = pytest.mark.service

PARIS = ShippingAddress(
    name="Ada Lovelace", line1="1 Rue de Rivoli", city="Paris", postal_code="75001", country="FR"
)


def create(order_id: str, country: str, lines: list[tuple[str, int]]) -> CreateShipment:
    return CreateShipment(
        order_id=order_id,
        address=PARIS.model_copy(update={"country": country}),
        items=[StockLine(sku=sku, quantity=quantity) for sku, quantity in lines],
    )


def shipments(shipping: Participant, order_id: str) -> list[dict[str, Any]]:
    with shipping.engine.begin() as conn:
        return shipping_store.shipments_of(conn, order_id)  # what shipping.get_shipments answers


@pytest.mark.parametrize(
    ("country", "lines", "carrier", "grams"),
    [
        ("FR", [("BOOK-42", 2), ("MUG-7", 1)], "letter-post", 1_250),
        ("FR", [("KETTLEBELL-16", 1), ("BOOK-42", 1)], "parcel-freight", 16_450),
        ("FR", [("SKU-UNLISTED", 5)], "parcel-freight", 2_500),  # 500 g a unit by default
        ("GB", [("BOOK-42", 2)], "world-express", 900),
    ],
    ids=["domestic-light", "domestic-heavy", "unknown-sku-default", "international"],
)
def test_the_reply_and_the_store_name_the_carrier_chosen(shipping, country, lines, carrier, grams):
    order_id = f"ord-{uuid.uuid4().hex[:8]}"

    reply = shipping.send(create(order_id, country, lines))

    assert isinstance(reply, ShipmentCreated)
    assert reply.carrier == carrier
    (row,) = shipments(shipping, order_id)
    assert (row["shipment_id"], row["carrier"], row["weight_grams"]) == (
        reply.shipment_id,
        carrier,
        grams,
    )
    assert row["tracking_number"] == reply.tracking_number
    with shipping.engine.begin() as conn:
        (entry,) = shipping_store.order_trail(conn, order_id)
    assert entry.what == "shipment created"
    assert entry.detail == f"with {carrier}: {reply.tracking_number} to {country}, {grams:,} g"


def test_a_shipment_delivered_again_answers_its_first_shipment(shipping):
    order_id = f"ord-{uuid.uuid4().hex[:8]}"
    command = create(order_id, "FR", [("BOOK-42", 1)])
    raw = Envelope.wrap(command, saga_id="s-1", correlation_id="c-1").to_json_dict()

    shipping.deliver(raw)
    shipping.deliver(raw)

    first, again = (decode(row.body).payload for row in shipping.replies_to(raw["message_id"]))
    assert isinstance(first, ShipmentCreated) and first.carrier == "letter-post"
    assert again == first
    assert [row["shipment_id"] for row in shipments(shipping, order_id)] == [first.shipment_id]


def test_the_home_country_setting_makes_its_shipments_domestic(shipping):
    registry = bootstrap.registry({"SHIPPING_HOME_COUNTRY": "GB"})
    british = Participant.on("shipping", shipping.engine, registry)
    lines = [("BOOK-42", 2)]

    to_gb = british.send(create(f"ord-{uuid.uuid4().hex[:8]}", "GB", lines))
    to_fr = british.send(create(f"ord-{uuid.uuid4().hex[:8]}", "FR", lines))

    assert (to_gb.carrier, to_fr.carrier) == ("letter-post", "world-express")
