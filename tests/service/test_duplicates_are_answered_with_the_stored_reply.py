"""A command delivered again (the broker redelivers it, or the orchestrator's deadline
sends it again under the same message id) is answered with the reply stored the first
time: the same message id, the same body, and the work is not done twice. The first
reply may have been lost, so silence would leave the saga waiting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from messaging.contracts import Envelope, Payload
from messaging.contracts.fraud import ScreenOrder
from messaging.contracts.inventory import ReserveInventory, StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import ChargePayment
from messaging.contracts.shipping import CreateShipment
from participants.fraud import store as fraud_store
from participants.inventory import store as inventory_store
from participants.payment import store as payment_store
from participants.shipping import store as shipping_store
from tests.service.harness import Participant

pytestmark = pytest.mark.service

LINES = [StockLine(sku="SKU-1", quantity=1)]
ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)


def stock_left(participant: Participant) -> int:
    with participant.engine.begin() as conn:
        view = inventory_store.stock_view(conn, "SKU-1")
    assert view is not None
    available = view["available"]
    assert isinstance(available, int)
    return available


def rows_of(table: Any) -> Callable[[Participant], int]:
    def count(participant: Participant) -> int:
        with participant.engine.begin() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    return count


# each participant's command, and how much of its work is done: stock taken, rows written
COMMANDS: dict[str, tuple[Payload, Callable[[Participant], int]]] = {
    "inventory": (ReserveInventory(order_id="ord-1", items=LINES), stock_left),
    "payment": (
        ChargePayment(order_id="ord-1", amount_cents=100, currency="EUR", payment_token="tok_visa"),
        rows_of(payment_store.payments),
    ),
    "shipping": (
        CreateShipment(order_id="ord-1", address=ADDRESS, items=LINES),
        rows_of(shipping_store.shipments),
    ),
    "fraud": (
        ScreenOrder(
            order_id="ord-1",
            customer_id="cust-1",
            amount_cents=100,
            currency="EUR",
            country="GB",
            payment_token="tok_fraud",
        ),
        rows_of(fraud_store.screenings),
    ),
}


@pytest.mark.parametrize("service", sorted(COMMANDS))
def test_a_command_delivered_again_gets_the_same_reply_and_no_second_effect(service, participant):
    receiver: Participant = participant(service)
    if service == "inventory":
        with receiver.engine.begin() as conn:
            inventory_store.set_level(conn, "SKU-1", 5)
    command, work_done = COMMANDS[service]
    raw = Envelope.wrap(command, saga_id="saga-1", correlation_id="corr-1").to_json_dict()

    receiver.deliver(raw)
    after_first = work_done(receiver)
    receiver.deliver(raw)
    receiver.deliver(raw)

    first, *again = receiver.replies_to(raw["message_id"])
    assert len(again) == 2
    for reply in again:
        assert (reply.message_id, reply.body["payload"]) == (
            first.message_id,
            first.body["payload"],
        )
        assert reply.body["type"] == first.body["type"]
    assert work_done(receiver) == after_first
    assert receiver.handled_ids() == [raw["message_id"]]
    assert receiver.parked() == []
