"""Adapters chosen by configuration. A participant's port (payment's card network,
shipping's carrier) is filled by a built-in adapter named in its setting (``fake``) or by
any factory on the worker's path, named ``module:factory`` and called with no arguments
(messaging.settings.AdapterSetting; docs/configuration.md).

Every way a value can be wrong is a ``BadAdapter`` naming the variable and its value, so
that a worker refuses to start (``ServiceApp(at_start=...)``) with a message an operator
can act on, rather than failing at its first message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from messaging.logs import get_logger
from messaging.settings import AdapterSetting


class BadAdapter(ValueError):
    """An adapter setting that does not name an adapter which can be built."""


def build(setting: AdapterSetting, builtin: Mapping[str, Callable[[], object]]) -> object:
    """The adapter ``setting`` names, built. The caller checks it is the port's kind."""
    factory = _factory(setting, builtin)
    try:
        adapter = factory()
    except Exception as exc:
        raise BadAdapter(f"{setting}: building it failed: {exc!r}") from exc
    get_logger().info("adapter_chosen", setting=setting.variable, adapter=setting.value)
    return adapter


def _factory(
    setting: AdapterSetting, builtin: Mapping[str, Callable[[], object]]
) -> Callable[[], object]:
    value = setting.value.strip()
    if ":" not in value:
        if value in builtin:
            return builtin[value]
        known = ", ".join(sorted(builtin))
        raise BadAdapter(f"{setting}: expected {known} or module:factory")
    module_name, _, name = value.partition(":")
    if not module_name or not name:
        raise BadAdapter(f"{setting}: expected module:factory")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or the module itself failing
        raise BadAdapter(f"{setting}: cannot import {module_name}: {exc!r}") from exc
    factory: object = getattr(module, name, None)
    if not callable(factory):
        raise BadAdapter(f"{setting}: {module_name} has no callable {name!r}")
    return factory
