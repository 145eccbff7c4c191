"""Every message type this environment knows, by name. One name, one schema.

Nobody edits a central list: a module that defines message types lists them in its own
``MESSAGES`` tuple, and the catalog is gathered from

- the modules of this package (the participants' commands and replies),
- the ``input`` and ``events`` modules of every saga folder in the top-level ``sagas``
  package (found on disk, not listed anywhere),
- modules named by the ``saga_platform.messages`` entry-point group (a saga or a
  contract package installed from elsewhere).

Two types with one name is an error when the catalog is gathered (at every worker's
start), naming both places.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType, ModuleType

from messaging.contracts.base import Payload

ENTRY_POINT_GROUP = "saga_platform.messages"
SAGAS_PACKAGE = "sagas"
SAGA_CONTRACT_MODULES = ("input", "events")


class UnknownMessageType(LookupError):
    pass


class DuplicateMessageType(ValueError):
    """Two schemas claim one message type name."""


def place(cls: type[Payload]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class Catalog:
    """An immutable name -> schema map, with where each schema comes from."""

    def __init__(self, classes: Iterable[type[Payload]]) -> None:
        types: dict[str, type[Payload]] = {}
        for cls in classes:
            name = cls.message_type
            known = types.get(name)
            if known is not None and known is not cls:
                raise DuplicateMessageType(
                    f"message type {name!r} is defined twice: in {place(known)} and in {place(cls)}"
                )
            types[name] = cls
        self.types: Mapping[str, type[Payload]] = MappingProxyType(types)

    def payload_class(self, message_type: str) -> type[Payload]:
        try:
            return self.types[message_type]
        except KeyError:
            raise UnknownMessageType(f"unknown message type {message_type!r}") from None

    def __contains__(self, message_type: object) -> bool:
        return message_type in self.types

    def __len__(self) -> int:
        return len(self.types)


def declared_in(module: ModuleType) -> tuple[type[Payload], ...]:
    """The ``MESSAGES`` a module declares (none if it declares nothing)."""
    declared = getattr(module, "MESSAGES", ())
    for cls in declared:
        if not (isinstance(cls, type) and issubclass(cls, Payload)):
            raise TypeError(f"{module.__name__}.MESSAGES holds {cls!r}, not a Payload class")
    return tuple(declared)


def contract_modules() -> Iterator[ModuleType]:
    """Every module that may declare messages, in a stable order."""
    import messaging.contracts as here

    for info in sorted(pkgutil.iter_modules(here.__path__), key=lambda m: m.name):
        yield importlib.import_module(f"{here.__name__}.{info.name}")
    yield from saga_contract_modules()
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        yield importlib.import_module(entry.value)


def saga_folders() -> list[str]:
    """Names of the saga folders in the ``sagas`` package, if it is installed."""
    spec = importlib.util.find_spec(SAGAS_PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        return []
    found = pkgutil.iter_modules(spec.submodule_search_locations)
    return sorted(info.name for info in found if info.ispkg)


def saga_contract_modules() -> Iterator[ModuleType]:
    for folder in saga_folders():
        for part in SAGA_CONTRACT_MODULES:
            name = f"{SAGAS_PACKAGE}.{folder}.{part}"
            if importlib.util.find_spec(name) is not None:
                yield importlib.import_module(name)


@functools.cache
def catalog() -> Catalog:
    """The catalog of this environment, gathered once per process."""
    return Catalog(cls for module in contract_modules() for cls in declared_in(module))


def payload_class(message_type: str) -> type[Payload]:
    return catalog().payload_class(message_type)
