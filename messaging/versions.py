"""Which message types this process writes at an older schema version, during a rollout:
``SAGA_EMIT_VERSIONS="OrderConfirmed=1,InventoryReserved=1"`` (docs/configuration.md).

Read once per process. A type not named is written at its class's version. A setting that
names an unknown type, a version this code does not know, or one its downcasters cannot
reach stops the worker at start (``check``, a ``ServiceApp`` start check), never at the
first message.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from types import MappingProxyType

from messaging.contracts import Catalog, catalog
from messaging.contracts.versions import listed, writable

VARIABLE = "SAGA_EMIT_VERSIONS"


class BadEmitVersions(ValueError):
    """The setting cannot be honoured: the worker must not start with it."""


def parse(text: str, known: Catalog) -> Mapping[str, int]:
    """``"OrderConfirmed=1, InventoryReserved=1"`` as {type: version}, each one checked
    against the catalog: a known type, and a version its downcasters reach."""
    chosen: dict[str, int] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, number = (side.strip() for side in item.partition("="))
        if not sep or not number.isdigit():
            raise BadEmitVersions(f"{VARIABLE}: {item!r} is not TYPE=VERSION")
        if name in chosen:
            raise BadEmitVersions(f"{VARIABLE}: {name} is named twice")
        if name not in known:
            raise BadEmitVersions(f"{VARIABLE}: unknown message type {name!r}")
        cls, version = known.payload_class(name), int(number)
        if version not in writable(cls):
            raise BadEmitVersions(
                f"{VARIABLE}: {name} cannot be written at schema version {version}: this "
                f"code writes versions {listed(writable(cls))} (an older one needs a "
                f"downcaster on {cls.__qualname__})"
            )
        chosen[name] = version
    return MappingProxyType(chosen)


@functools.cache
def emitted() -> Mapping[str, int]:
    """This process's choice, from the environment, checked against its catalog."""
    return parse(os.environ.get(VARIABLE, ""), catalog())


def check() -> None:
    """A worker's start check: a bad setting stops it there, naming the problem."""
    emitted()
