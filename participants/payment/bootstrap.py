"""Payment's composition root: the card network its handlers talk to, chosen by
``PAYMENT_CARD_NETWORK`` (``fake`` unless set, or ``module:factory`` for a real one:
docs/configuration.md#adapters-a-real-card-network-or-carrier), and the registry built on
it. The worker calls ``registry`` once per process; a bad setting stops it at start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from messaging.handlers import Registry
from messaging.settings import AdapterSetting
from participants.adapters import adapter_for
from participants.payment import handlers
from participants.payment.card_network import FakeCardNetwork
from participants.payment.rules import CardNetwork

BUILT_IN = {"fake": FakeCardNetwork}


def card_network(env: Mapping[str, str] | None = None) -> CardNetwork:
    """The card network ``PAYMENT_CARD_NETWORK`` names, built; ``BadAdapter`` if it names
    none, or something that is not a ``CardNetwork`` (participants/payment/rules.py)."""
    setting = AdapterSetting.from_env("payment", "card_network", env)
    return cast(CardNetwork, adapter_for(setting, BUILT_IN, CardNetwork))


def registry(env: Mapping[str, str] | None = None) -> Registry:
    return handlers.registry(card_network(env))
