"""What payment's and shipping's composition roots share: the adapter of a port, named by
the service's setting (``PAYMENT_CARD_NETWORK``, ``SHIPPING_CARRIER``), built and checked
to be of the port's kind. Not a participant: it imports none of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from messaging.adapters import BadAdapter, build
from messaging.settings import AdapterSetting


def adapter_for(
    setting: AdapterSetting, built_in: Mapping[str, Callable[[], object]], port: type
) -> object:
    """The adapter ``setting`` names, built; ``BadAdapter`` if it names none, or something
    that is not a ``port`` (a runtime-checkable Protocol: the message names its methods and
    its module). The caller casts the result to ``port``: it is checked here."""
    built = build(setting, built_in)
    if not isinstance(built, port):
        methods = ", ".join(name for name in vars(port) if not name.startswith("_"))
        where = port.__module__.replace(".", "/") + ".py"
        raise BadAdapter(
            f"{setting}: built a {type(built).__name__}, not a {port.__name__} ({methods}: {where})"
        )
    return built
