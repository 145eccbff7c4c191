"""An order where no rule fires is screened and may go on: OrderScreened with its score
and the screening's id, one row recorded (score, threshold, verdict ``accepted``), shown
by ``fraud.get_screenings`` and in the order's trail (``sagactl history``)."""

from __future__ import annotations

import pytest

from messaging.contracts.fraud import OrderScreened
from messaging.contracts.read_models import TrailEntry
from messaging.order_trail import register_order_trail
from participants.fraud import store as fraud_store
from participants.fraud.handlers import screening_id_for
from tests.service.fraud_orders import screen_order, screenings
from tests.service.harness import AppOnStore

pytestmark = pytest.mark.service


def test_a_clean_order_is_screened_and_may_go_on(fraud):
    command = screen_order()

    reply = fraud.send(command)

    assert reply == OrderScreened(
        order_id=command.order_id, screening_id=screening_id_for(command.order_id), score=0
    )
    (row,) = screenings(fraud, command.order_id)
    assert {k: row[k] for k in ("screening_id", "score", "threshold", "verdict", "reasons")} == {
        "screening_id": reply.screening_id,
        "score": 0,
        "threshold": 80,
        "verdict": "accepted",
        "reasons": [],
    }


def test_a_score_below_the_threshold_goes_on_with_its_reasons_kept(fraud):
    command = screen_order(amount_cents=750_000)  # +40: below 80

    reply = fraud.send(command)

    assert isinstance(reply, OrderScreened)
    assert reply.score == 40
    (row,) = screenings(fraud, command.order_id)
    assert (row["verdict"], row["reasons"]) == ("accepted", ["amount of 5,000.00 or more (+40)"])


def test_the_screening_is_in_the_orders_trail(fraud):
    command = screen_order(country="XF")
    fraud.send(command)
    order_trail = register_order_trail(AppOnStore("fraud", fraud.engine), fraud_store.order_trail)

    answer = order_trail(command.order_id)

    (entry,) = [TrailEntry.model_validate(entry) for entry in answer]
    assert entry.what == "screened: accepted"
    assert entry.detail == "score 50 (rejects at 80): high-risk destination XF (+50)"
    assert order_trail("ord-unknown") == []
