"""A real provider plugs into payment and shipping by a setting, with no code of ours
changed: ``PAYMENT_CARD_NETWORK`` and ``SHIPPING_CARRIER`` name its factory
(``module:factory``), the participant's bootstrap builds it, and every command then goes
to it. Unset, they are ``fake``."""

from __future__ import annotations

import pytest

from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.contracts.shipping import CreateShipment, ShipmentCreated
from participants.payment import bootstrap as payment_bootstrap
from participants.shipping import bootstrap as shipping_bootstrap
from tests.service import providers
from tests.service.harness import Participant

pytestmark = pytest.mark.service

ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)


def test_a_card_network_named_by_its_factory_takes_the_charges(payment):
    env = {"PAYMENT_CARD_NETWORK": "tests.service.providers:acme"}
    acme = Participant.on("payment", payment.engine, payment_bootstrap.registry(env))
    network = providers.BUILT[-1]

    charged = acme.send(
        ChargePayment(order_id="ord-1", amount_cents=3000, currency="EUR", payment_token="tok_x")
    )
    refused = acme.send(RefundPayment(order_id="ord-1", payment_id=charged.payment_id))

    assert isinstance(charged, PaymentCharged)
    assert network.charged == [("tok_x", 3000, charged.payment_id)]  # its id as the key
    assert refused == PaymentRefundFailed(
        order_id="ord-1",
        payment_id=charged.payment_id,
        code="acme_no_refunds",
        reason="acme refunds by cheque only",
    )


def test_a_carrier_named_by_its_class_makes_the_labels_with_the_carrier_chosen(shipping):
    env = {"SHIPPING_CARRIER": "tests.service.providers:ParcelCo"}
    parcel_co = Participant.on("shipping", shipping.engine, shipping_bootstrap.registry(env))

    reply = parcel_co.send(
        CreateShipment(
            order_id="ord-1", address=ADDRESS, items=[StockLine(sku="SKU-1", quantity=21)]
        )
    )

    assert isinstance(reply, ShipmentCreated)  # 21 units of 500 g to GB, from home FR
    assert (reply.carrier, reply.tracking_number) == (
        "world-express",
        "PC-world-express-N1 9GU-2",
    )
