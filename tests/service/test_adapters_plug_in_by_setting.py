"""A real provider plugs into payment, shipping and fraud by a setting, with no code of ours
changed: ``PAYMENT_CARD_NETWORK``, ``SHIPPING_CARRIER`` and ``FRAUD_SCORER`` name its factory
(``module:factory``), the participant's bootstrap builds it, and every command then goes
to it. Unset, they are ``fake``."""

from __future__ import annotations

import pytest

from messaging.contracts.fraud import FraudSuspected, OrderScreened, ScreenOrder
from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.contracts.shipping import CreateShipment, ShipmentCreated
from participants.fraud import bootstrap as fraud_bootstrap
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


def test_a_scorer_named_by_its_class_scores_the_orders(fraud):
    env = {"FRAUD_SCORER": "tests.service.providers:RiskCorp"}
    registry = fraud_bootstrap.registry(env)
    riskcorp = Participant.on("fraud", fraud.engine, registry)

    def screen(order_id: str, customer_id: str) -> object:
        return riskcorp.send(
            ScreenOrder(
                order_id=order_id,
                customer_id=customer_id,
                amount_cents=3000,
                currency="EUR",
                country="GB",
                payment_token="tok_fraud",  # the fake's test token: this scorer ignores it
            )
        )

    assert isinstance(screen("ord-1", "cust-1"), OrderScreened)
    rejected = screen("ord-2", "cust-risky")
    assert isinstance(rejected, FraudSuspected)
    assert rejected.reason == "score 85 at or above 80: riskcorp: customer on the watch list"
