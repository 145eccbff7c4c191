"""The saga definitions this orchestrator runs, by name and version, found rather than listed.

Each folder of the top-level ``sagas`` package with a ``definition`` module is one saga:
the module exposes ``DEFINITION`` (one version) or ``DEFINITIONS`` (a tuple of versions of
one name, the old ones kept while sagas still run them). A package installed from elsewhere
registers ``module:ATTRIBUTE`` (either kind) under the ``saga_platform.sagas`` entry-point
group. The same name and version from two places is an error at start, naming both.

A saga runs to its end on the version it started on; new sagas start on the latest
registered version of their name, unless ``SAGA_START_VERSIONS`` (``checkout@1,returns@1``)
pins an older one: the rollout knob (register v2 everywhere first, then unpin).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType

from messaging.contracts.catalog import SAGAS_PACKAGE, saga_folders
from orchestrator.definition import SagaDefinition, scaled

ENTRY_POINT_GROUP = "saga_platform.sagas"
START_VERSIONS = "SAGA_START_VERSIONS"
Key = tuple[str, int]  # (name, version)


class DuplicateDefinition(ValueError):
    pass


class UnknownDefinition(LookupError):
    pass


class MalformedSpec(ValueError):
    """A definition written as text that is not ``NAME`` or ``NAME@VERSION``."""


_SPEC = re.compile(r"^([A-Za-z0-9_.-]+)(?:@([0-9]+))?$")


def parse_spec(spec: str) -> tuple[str, int | None]:
    """``"checkout"`` -> ("checkout", None); ``"checkout@2"`` -> ("checkout", 2)."""
    matched = _SPEC.match(spec.strip())
    version = None if matched is None or matched[2] is None else int(matched[2])
    if matched is None or version == 0:
        raise MalformedSpec(
            f"malformed definition {spec!r}: expected NAME or NAME@VERSION "
            "(a whole number from 1), as checkout or checkout@2"
        )
    return matched[1], version


def _found() -> Iterator[tuple[str, SagaDefinition]]:
    """(where, definition) for every definition version in this environment."""
    for folder in saga_folders():
        name = f"{SAGAS_PACKAGE}.{folder}.definition"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        yield from _definitions(
            name, "DEFINITIONS" if hasattr(module, "DEFINITIONS") else "DEFINITION"
        )
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        module_name, _, attribute = entry.value.partition(":")
        yield from _definitions(module_name, attribute or "DEFINITION")


def _definitions(module: str, attribute: str) -> Iterator[tuple[str, SagaDefinition]]:
    """What ``module:attribute`` holds: one definition, or a tuple of versions of one."""
    where = f"{module}:{attribute}"
    found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, SagaDefinition):
        yield where, found
        return
    if not isinstance(found, tuple) or not all(isinstance(d, SagaDefinition) for d in found):
        raise TypeError(
            f"{where} is {type(found).__name__}, not a SagaDefinition or a tuple of them"
        )
    names = sorted({d.name for d in found})
    if len(names) != 1:
        raise TypeError(f"{where} must hold versions of one definition, not of {names}")
    for i, definition in enumerate(found):
        yield f"{where}[{i}]", definition


def gather_versions(
    found: Iterable[tuple[str, SagaDefinition]] | None = None,
) -> Mapping[Key, SagaDefinition]:
    """Every definition version by (name, version), exactly as written."""
    definitions: dict[Key, SagaDefinition] = {}
    places: dict[Key, str] = {}
    for where, definition in _found() if found is None else found:
        key = (definition.name, definition.version)
        if key in definitions and definitions[key] is not definition:
            raise DuplicateDefinition(
                f"saga definition {definition.label} is defined twice: "
                f"in {places[key]} and in {where}"
            )
        definitions[key] = definition
        places[key] = where
    return MappingProxyType(dict(sorted(definitions.items())))


def gather() -> Mapping[str, SagaDefinition]:
    """The latest version of every definition, by name, exactly as written (the docs)."""
    latest: dict[str, SagaDefinition] = {}
    for (name, _version), definition in gather_versions().items():
        latest[name] = definition  # sorted by version: the last is the latest
    return MappingProxyType(latest)


class Registry(Mapping[str, SagaDefinition]):
    """As a mapping, name -> the version new sagas start on (what callers that know no
    versions need); ``at(name, version)`` is any registered version."""

    def __init__(self, found: Mapping[Key, SagaDefinition], start: Mapping[str, int]) -> None:
        self._all = MappingProxyType(dict(sorted(found.items())))
        self._start = MappingProxyType(dict(sorted(start.items())))

    @classmethod
    def of(cls, *found: SagaDefinition, pins: str = "") -> Registry:
        """A registry of these versions (tests, tools), pinned as ``SAGA_START_VERSIONS``."""
        versions = gather_versions((definition.label, definition) for definition in found)
        return cls(versions, start_versions(versions, pins))

    def __getitem__(self, name: str) -> SagaDefinition:
        return self._all[(name, self._start[name])]

    def __iter__(self) -> Iterator[str]:
        return iter(self._start)

    def __len__(self) -> int:
        return len(self._start)

    def start_version(self, name: str) -> int:
        self.at(name)  # an unknown name: UnknownDefinition
        return self._start[name]

    def versions(self, name: str) -> Mapping[int, SagaDefinition]:
        """Every registered version of ``name``, oldest first (empty: none)."""
        return MappingProxyType({v: d for (n, v), d in self._all.items() if n == name})

    def every(self) -> Iterator[SagaDefinition]:
        """Every registered version of every definition, by name then version."""
        return iter(self._all.values())

    def at(self, name: str, version: int | None = None) -> SagaDefinition:
        """``name`` at ``version``; None: the version new sagas start on."""
        if version is None:
            if name not in self._start:
                known = ", ".join(self._start) or "none"
                raise UnknownDefinition(f"unknown saga definition {name!r} (known: {known})")
            return self[name]
        found = self._all.get((name, version))
        if found is None:
            raise UnknownDefinition(not_registered(f"{name}@{version}", self.labels(name)))
        return found

    def labels(self, name: str | None = None) -> str:
        """``checkout@1, checkout@2``: the registered versions (of ``name``), or "none"."""
        found = [d.label for (n, _v), d in self._all.items() if name in (None, n)]
        return ", ".join(found) or "none"


def not_registered(label: str, registered: str) -> str:
    return f"saga definition {label} is not registered here (registered: {registered})"


def start_versions(found: Mapping[Key, SagaDefinition], pins: str) -> dict[str, int]:
    """The version each name starts on: the latest, unless ``pins`` names another
    (``checkout@1,returns@1``). A malformed pin, or one to a version not in ``found``,
    is an error: the worker does not start."""
    start: dict[str, int] = {}
    for name, latest in found:
        start[name] = max(latest, start.get(name, latest))
    pinned: set[str] = set()
    for pin in filter(None, (part.strip() for part in pins.split(","))):
        try:
            name, given = parse_spec(pin)
        except MalformedSpec as exc:
            raise MalformedSpec(f"{START_VERSIONS}: {exc}") from None
        if given is None:
            raise MalformedSpec(f"{START_VERSIONS}: {pin!r} names no version (write {pin}@N)")
        version = given
        if (name, version) not in found:
            registered = ", ".join(d.label for (n, _v), d in found.items() if n == name)
            message = not_registered(f"{name}@{version}", registered or "none of that name")
            raise UnknownDefinition(f"{START_VERSIONS} pins {pin}, but {message}")
        if name in pinned and start[name] != version:
            raise MalformedSpec(f"{START_VERSIONS} pins {name} twice: {pins!r}")
        start[name] = version
        pinned.add(name)
    return start


@functools.cache
def definitions() -> Registry:
    """The definitions this process runs, every version; read once (at worker start, so a
    bad pin stops the worker). SAGA_POLICY_SCALE multiplies every version's timeouts and
    retry delays (1 by default; tests and drills use less)."""
    factor = float(os.environ.get("SAGA_POLICY_SCALE", "1"))
    found = {key: scaled(d, factor) for key, d in gather_versions().items()}
    return Registry(found, start_versions(found, os.environ.get(START_VERSIONS, "")))


def definition(name: str, version: int | None = None) -> SagaDefinition:
    """``name`` at ``version`` (None: the version new sagas start on)."""
    return definitions().at(name, version)
