"""What the card network's interface promises a provider (participants/payment/rules.py):
a network that cannot be reached (``OSError``) is retried with backoff up to eight
attempts, a bug in its adapter three, and then the charge is parked; the same for a fraud
scorer (participants/fraud/rules.py) and its screening. Nothing is recorded
meanwhile: each attempt rolls back whole, and the retry asks with the same reference."""

from __future__ import annotations

import pytest

from messaging.contracts import Envelope
from messaging.contracts.fraud import ScreenOrder
from messaging.contracts.payment import ChargePayment
from participants.fraud import handlers as fraud_handlers
from participants.payment import handlers as payment_handlers
from tests.service import providers
from tests.service.harness import Participant, Retried

pytestmark = pytest.mark.service

CHARGE = ChargePayment(order_id="ord-1", amount_cents=3000, currency="EUR", payment_token="t")
SCREEN = ScreenOrder(
    order_id="ord-1",
    customer_id="cust-1",
    amount_cents=3000,
    currency="EUR",
    country="GB",
    payment_token="t",
)


@pytest.mark.parametrize(
    ("network", "attempts", "reason"),
    [
        (providers.DownNetwork, 8, "transient: ConnectionError('acme: connection refused')"),
        (providers.BuggyNetwork, 3, "handler error: KeyError('status')"),
    ],
)
def test_a_failing_network_is_retried_then_the_charge_is_parked(payment, network, attempts, reason):
    failing = Participant.on("payment", payment.engine, payment_handlers.registry(network()))
    raw = Envelope.wrap(CHARGE, saga_id="saga-1", correlation_id="corr-1").to_json_dict()

    for attempt in range(attempts - 1):
        with pytest.raises(Retried):
            failing.deliver(raw, retries=attempt)
        assert failing.parked() == []
    last = failing.deliver(raw, retries=attempts - 1)

    assert last.retried == []
    (letter,) = failing.parked()
    assert letter.reason.startswith(f"gave up after {attempts} attempts: {reason}")
    assert failing.handled_ids() == []
    assert failing.outbox_ids() == []
    assert failing.published == []


def test_an_unreachable_scorer_is_retried_then_the_screening_is_parked(fraud):
    failing = Participant.on(
        "fraud", fraud.engine, fraud_handlers.registry(providers.DownRiskCorp())
    )
    raw = Envelope.wrap(SCREEN, saga_id="saga-1", correlation_id="corr-1").to_json_dict()

    for attempt in range(7):
        with pytest.raises(Retried):
            failing.deliver(raw, retries=attempt)
    failing.deliver(raw, retries=7)

    (letter,) = failing.parked()
    assert letter.reason.startswith(
        "gave up after 8 attempts: transient: TimeoutError('riskcorp: no answer in 2 s')"
    )
    assert failing.handled_ids() == []
    assert failing.outbox_ids() == []
