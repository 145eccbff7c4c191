"""Shipping's composition root: the carrier its handlers talk to, chosen by
``SHIPPING_CARRIER`` (``fake`` unless set, or ``module:factory`` for a real one:
docs/configuration.md#adapters-a-real-card-network-or-carrier), and the registry built on
it. The worker calls ``registry`` once per process; a bad setting stops it at start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from messaging.handlers import Registry
from messaging.settings import AdapterSetting
from participants.adapters import adapter_for
from participants.shipping import handlers
from participants.shipping.carrier import FakeCarrier
from participants.shipping.rules import Carrier

BUILT_IN = {"fake": FakeCarrier}


def carrier(env: Mapping[str, str] | None = None) -> Carrier:
    """The carrier ``SHIPPING_CARRIER`` names, built; ``BadAdapter`` if it names none, or
    something that is not a ``Carrier`` (participants/shipping/rules.py)."""
    setting = AdapterSetting.from_env("shipping", "carrier", env)
    return cast(Carrier, adapter_for(setting, BUILT_IN, Carrier))


def registry(env: Mapping[str, str] | None = None) -> Registry:
    return handlers.registry(carrier(env))
