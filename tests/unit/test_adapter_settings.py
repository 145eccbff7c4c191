"""Which card network, carrier and fraud scorer a worker uses is a setting:
``PAYMENT_CARD_NETWORK``, ``SHIPPING_CARRIER`` and ``FRAUD_SCORER``, ``fake`` unless set, or
``module:factory``. Every bad value is refused with the variable and its value named, before
any message is handled; so is a bad ``FRAUD_REJECT_SCORE``."""

from __future__ import annotations

import pytest

from messaging.adapters import BadAdapter
from messaging.settings import AdapterSetting
from participants.fraud import bootstrap as fraud_bootstrap
from participants.fraud.scorer import FakeScorer
from participants.payment import bootstrap as payment_bootstrap
from participants.payment.card_network import FakeCardNetwork
from participants.shipping import bootstrap as shipping_bootstrap
from participants.shipping.carrier import FakeCarrier


class NotANetwork:
    def authorize(self) -> None: ...


def broken() -> object:
    raise RuntimeError("no API key in ACME_API_KEY")


def test_the_variables_are_named_after_the_service_and_the_port():
    assert AdapterSetting.from_env("payment", "card_network", {}) == AdapterSetting(
        "PAYMENT_CARD_NETWORK", "fake"
    )
    assert AdapterSetting.from_env("shipping", "carrier", {"SHIPPING_CARRIER": "a.b:c"}) == (
        AdapterSetting("SHIPPING_CARRIER", "a.b:c")
    )


def test_unset_or_fake_they_are_the_fakes():
    assert isinstance(payment_bootstrap.card_network({}), FakeCardNetwork)
    assert isinstance(
        payment_bootstrap.card_network({"PAYMENT_CARD_NETWORK": "fake"}), FakeCardNetwork
    )
    assert isinstance(shipping_bootstrap.carrier({}), FakeCarrier)


def test_a_factory_on_the_path_is_called_with_no_arguments():
    env = {"SHIPPING_CARRIER": "participants.shipping.carrier:FakeCarrier"}

    assert isinstance(shipping_bootstrap.carrier(env), FakeCarrier)


HERE = __name__


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("stripe", "PAYMENT_CARD_NETWORK='stripe': expected fake or module:factory"),
        ("", "PAYMENT_CARD_NETWORK='': expected fake or module:factory"),
        ("acme:", "PAYMENT_CARD_NETWORK='acme:': expected module:factory"),
        (
            "acme_pay.network:build",
            "PAYMENT_CARD_NETWORK='acme_pay.network:build': cannot import acme_pay.network: "
            "ModuleNotFoundError(\"No module named 'acme_pay'\")",
        ),
        (
            f"{HERE}:missing",
            f"PAYMENT_CARD_NETWORK='{HERE}:missing': {HERE} has no callable 'missing'",
        ),
        (
            f"{HERE}:HERE",
            f"PAYMENT_CARD_NETWORK='{HERE}:HERE': {HERE} has no callable 'HERE'",
        ),
        (
            f"{HERE}:broken",
            f"PAYMENT_CARD_NETWORK='{HERE}:broken': building it failed: "
            "RuntimeError('no API key in ACME_API_KEY')",
        ),
        (
            f"{HERE}:NotANetwork",
            f"PAYMENT_CARD_NETWORK='{HERE}:NotANetwork': built a NotANetwork, not a "
            "CardNetwork (authorize, status, refund: participants/payment/rules.py)",
        ),
    ],
)
def test_a_bad_card_network_is_refused_saying_why(value, says):
    with pytest.raises(BadAdapter) as refused:
        payment_bootstrap.registry({"PAYMENT_CARD_NETWORK": value})

    assert str(refused.value) == says


def test_a_bad_carrier_is_refused_saying_why():
    env = {"SHIPPING_CARRIER": "participants.payment.card_network:FakeCardNetwork"}

    with pytest.raises(
        BadAdapter, match=r"^SHIPPING_CARRIER=.*: built a FakeCardNetwork, not a Carrier"
    ):
        shipping_bootstrap.registry(env)


def test_the_fraud_scorer_is_the_fake_unless_set():
    assert AdapterSetting.from_env("fraud", "scorer", {}) == AdapterSetting("FRAUD_SCORER", "fake")
    assert isinstance(fraud_bootstrap.scorer({}), FakeScorer)
    env = {"FRAUD_SCORER": "participants.fraud.scorer:FakeScorer"}
    assert isinstance(fraud_bootstrap.scorer(env), FakeScorer)


def test_a_bad_fraud_scorer_is_refused_saying_why():
    env = {"FRAUD_SCORER": "participants.shipping.carrier:FakeCarrier"}

    with pytest.raises(BadAdapter) as refused:
        fraud_bootstrap.registry(env)

    assert str(refused.value) == (
        "FRAUD_SCORER='participants.shipping.carrier:FakeCarrier': built a FakeCarrier, not a "
        "Scorer (score: participants/fraud/rules.py)"
    )


def test_the_fraud_threshold_is_80_unless_set_and_a_bad_one_is_refused():
    assert fraud_bootstrap.threshold({}) == 80
    assert fraud_bootstrap.threshold({"FRAUD_REJECT_SCORE": "60"}) == 60
    with pytest.raises(ValueError, match=r"^FRAUD_REJECT_SCORE='high': expected a whole number$"):
        fraud_bootstrap.registry({"FRAUD_REJECT_SCORE": "high"})
