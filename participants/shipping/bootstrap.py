"""Shipping's composition root: the carrier its handlers talk to, chosen by
``SHIPPING_CARRIER`` (``fake`` unless set, or ``module:factory`` for a real one:
docs/configuration.md#adapters-a-real-card-network-or-carrier), the home country its
carrier choice starts from (``SHIPPING_HOME_COUNTRY``, ``FR`` unless set), and the
registry built on them. The worker calls ``registry`` once per process; a bad setting
stops it at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import cast

from pydantic import TypeAdapter, ValidationError

from messaging.contracts.orders import CountryCode
from messaging.handlers import Registry
from messaging.settings import AdapterSetting
from participants.adapters import adapter_for
from participants.shipping import choice, handlers
from participants.shipping.carrier import FakeCarrier
from participants.shipping.rules import Carrier

BUILT_IN = {"fake": FakeCarrier}
HOME_COUNTRY = "SHIPPING_HOME_COUNTRY"
COUNTRY = TypeAdapter(CountryCode)  # the contracts' own shape of a country code


def carrier(env: Mapping[str, str] | None = None) -> Carrier:
    """The carrier ``SHIPPING_CARRIER`` names, built; ``BadAdapter`` if it names none, or
    something that is not a ``Carrier`` (participants/shipping/rules.py)."""
    setting = AdapterSetting.from_env("shipping", "carrier", env)
    return cast(Carrier, adapter_for(setting, BUILT_IN, Carrier))


def home_country(env: Mapping[str, str] | None = None) -> str:
    """``SHIPPING_HOME_COUNTRY``: a two-letter upper-case code; ``ValueError`` otherwise."""
    value = (os.environ if env is None else env).get(HOME_COUNTRY, choice.DEFAULT_HOME_COUNTRY)
    try:
        return str(COUNTRY.validate_python(value))
    except ValidationError:
        raise ValueError(
            f"{HOME_COUNTRY}={value!r}: expected a two-letter country code, as FR"
        ) from None


def registry(env: Mapping[str, str] | None = None) -> Registry:
    return handlers.registry(carrier(env), home_country=home_country(env))
