"""An order scored at or above the threshold must not go on: FraudSuspected with code
``fraud_rejected``, its score and a reason naming the rules that fired, and the rejection
recorded. The threshold is ``FRAUD_REJECT_SCORE``."""

from __future__ import annotations

import pytest

from messaging.contracts.fraud import FraudSuspected, OrderScreened
from participants.fraud import bootstrap as fraud_bootstrap
from participants.fraud.handlers import screening_id_for
from tests.service.fraud_orders import screen_order, screenings
from tests.service.harness import Participant

pytestmark = pytest.mark.service


def test_the_fraud_test_token_is_rejected(fraud):
    command = screen_order(token="tok_fraud")

    reply = fraud.send(command)

    assert reply == FraudSuspected(
        order_id=command.order_id,
        screening_id=screening_id_for(command.order_id),
        score=99,
        code="fraud_rejected",
        reason="score 99 at or above 80: payment token tok_fraud (+99)",
    )
    (row,) = screenings(fraud, command.order_id)
    assert (row["verdict"], row["score"], row["reasons"]) == (
        "rejected",
        99,
        ["payment token tok_fraud (+99)"],
    )


def test_rules_that_pass_alone_reject_together(fraud):
    command = screen_order(amount_cents=500_000, country="XR")

    reply = fraud.send(command)

    assert isinstance(reply, FraudSuspected)
    assert (reply.score, reply.code) == (90, "fraud_rejected")
    assert reply.reason == (
        "score 90 at or above 80: amount of 5,000.00 or more (+40); high-risk destination XR (+50)"
    )


def test_a_lower_threshold_rejects_what_the_default_lets_through(fraud):
    strict = Participant.on(
        "fraud", fraud.engine, fraud_bootstrap.registry({"FRAUD_REJECT_SCORE": "50"})
    )
    to_xf = screen_order(country="XF")  # 50
    large = screen_order(amount_cents=500_000)  # 40

    assert isinstance(strict.send(to_xf), FraudSuspected)
    assert isinstance(strict.send(large), OrderScreened)
    assert screenings(strict, to_xf.order_id)[0]["threshold"] == 50
