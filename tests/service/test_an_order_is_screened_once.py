"""An order is screened once. Asked again under a new message id (a saga retrying its step,
another sender), it gets its first verdict back, the scorer is not asked, and no second
row is written, even if the rules would now decide otherwise. Delivered again under the
same id (a broker redelivery), the stored reply is sent again, byte for byte."""

from __future__ import annotations

import pytest

from messaging.contracts import Envelope
from messaging.contracts.fraud import FraudSuspected, OrderScreened
from participants.fraud import handlers as fraud_handlers
from participants.fraud.rules import Assessment, Order
from participants.fraud.scorer import FakeScorer
from tests.service.fraud_orders import screen_order, screenings
from tests.service.harness import Participant

pytestmark = pytest.mark.service


class CountingScorer(FakeScorer):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def score(self, order: Order) -> Assessment:
        self.asked.append(order.order_id)
        return super().score(order)


def test_the_same_order_asked_again_gets_its_first_verdict(fraud):
    scorer = CountingScorer()
    counted = Participant.on("fraud", fraud.engine, fraud_handlers.registry(scorer))
    command = screen_order(token="tok_fraud")

    first = counted.send(command)
    again = counted.send(command)  # a new message id

    assert isinstance(first, FraudSuspected)
    assert again == first
    assert scorer.asked == [command.order_id]
    assert len(screenings(counted, command.order_id)) == 1


def test_the_first_verdict_holds_when_the_order_or_the_threshold_changes(fraud):
    command = screen_order(amount_cents=500_000)  # 40: accepted at 80
    first = fraud.send(command)
    stricter = Participant.on(
        "fraud", fraud.engine, fraud_handlers.registry(FakeScorer(), threshold=30)
    )

    again = stricter.send(command.model_copy(update={"country": "XF"}))

    assert isinstance(first, OrderScreened)
    assert again == first
    (row,) = screenings(fraud, command.order_id)
    assert (row["score"], row["threshold"], row["verdict"]) == (40, 80, "accepted")


def test_a_redelivered_command_resends_the_stored_reply_and_writes_nothing(fraud):
    command = screen_order(token="tok_fraud")
    raw = Envelope.wrap(command, saga_id="saga-1", correlation_id="corr-1").to_json_dict()

    fraud.deliver(raw)
    fraud.deliver(raw)

    first, again = fraud.replies_to(raw["message_id"])
    assert (again.message_id, again.task_name, again.body) == (
        first.message_id,
        first.task_name,
        first.body,
    )
    assert first.body["type"] == "FraudSuspected"
    assert len(screenings(fraud, command.order_id)) == 1
    assert fraud.handled_ids() == [raw["message_id"]]
    assert fraud.parked() == []
