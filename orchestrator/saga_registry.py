"""The saga definitions this orchestrator runs, by name, found rather than listed.

Each folder of the top-level ``sagas`` package with a ``definition`` module exposing
``DEFINITION`` is one saga; a package installed from elsewhere registers
``module:ATTRIBUTE`` under the ``saga_platform.sagas`` entry-point group. Two definitions
with one name is an error at start, naming both places.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType

from messaging.contracts.catalog import SAGAS_PACKAGE, saga_folders
from orchestrator.definition import SagaDefinition, scaled

ENTRY_POINT_GROUP = "saga_platform.sagas"


class DuplicateDefinition(ValueError):
    pass


class UnknownDefinition(LookupError):
    pass


def _found() -> Iterator[tuple[str, SagaDefinition]]:
    """(where, definition) for every definition in this environment."""
    for folder in saga_folders():
        name = f"{SAGAS_PACKAGE}.{folder}.definition"
        if importlib.util.find_spec(name) is None:
            continue
        yield f"{name}:DEFINITION", _definition(name, "DEFINITION")
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        module, _, attribute = entry.value.partition(":")
        yield entry.value, _definition(module, attribute or "DEFINITION")


def _definition(module: str, attribute: str) -> SagaDefinition:
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, SagaDefinition):
        raise TypeError(f"{module}:{attribute} is {type(found).__name__}, not a SagaDefinition")
    return found


def gather() -> Mapping[str, SagaDefinition]:
    """Every definition, by name, exactly as written."""
    definitions: dict[str, SagaDefinition] = {}
    places: dict[str, str] = {}
    for where, definition in _found():
        if definition.name in definitions and definitions[definition.name] is not definition:
            raise DuplicateDefinition(
                f"saga definition {definition.name!r} is defined twice: "
                f"in {places[definition.name]} and in {where}"
            )
        definitions[definition.name] = definition
        places[definition.name] = where
    return MappingProxyType(dict(sorted(definitions.items())))


@functools.cache
def definitions() -> Mapping[str, SagaDefinition]:
    """The definitions this process runs. SAGA_POLICY_SCALE multiplies every timeout and
    retry delay (1 by default; tests and drills use less)."""
    factor = float(os.environ.get("SAGA_POLICY_SCALE", "1"))
    return MappingProxyType({name: scaled(d, factor) for name, d in gather().items()})


def definition(name: str) -> SagaDefinition:
    try:
        return definitions()[name]
    except KeyError:
        known = ", ".join(definitions()) or "none"
        raise UnknownDefinition(f"unknown saga definition {name!r} (known: {known})") from None
