"""Shipping's composition root: the carrier its handlers talk to, chosen by
``SHIPPING_CARRIER`` (``fake`` unless set, or ``module:factory`` for a real one:
docs/configuration.md#adapters-a-real-card-network-or-carrier), and the registry built on
it. The worker calls ``registry`` once per process; a bad setting stops it at start."""

from __future__ import annotations

from collections.abc import Mapping

from messaging.adapters import BadAdapter, build
from messaging.handlers import Registry
from messaging.settings import AdapterSetting
from participants.shipping import handlers
from participants.shipping.carrier import FakeCarrier
from participants.shipping.rules import Carrier

BUILT_IN = {"fake": FakeCarrier}


def carrier(env: Mapping[str, str] | None = None) -> Carrier:
    """The carrier ``SHIPPING_CARRIER`` names, built; ``BadAdapter`` if it names none, or
    something that is not a ``Carrier`` (participants/shipping/rules.py)."""
    setting = AdapterSetting.from_env("shipping", "carrier", env)
    built = build(setting, BUILT_IN)
    if not isinstance(built, Carrier):
        raise BadAdapter(
            f"{setting}: built a {type(built).__name__}, not a Carrier "
            "(create_label, create_return_label, void_label: participants/shipping/rules.py)"
        )
    return built


def registry(env: Mapping[str, str] | None = None) -> Registry:
    return handlers.registry(carrier(env))
