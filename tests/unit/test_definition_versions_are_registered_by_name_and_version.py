"""The registry keys definitions by (name, version): a definition module may register two
versions of one name (``DEFINITIONS``), new sagas start on the latest unless
SAGA_START_VERSIONS pins one, an unregistered version is named with what is registered,
and the same (name, version) from two places is refused naming both."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from orchestrator import saga_registry
from orchestrator.definition import SagaDefinition
from orchestrator.saga_registry import (
    DuplicateDefinition,
    MalformedSpec,
    Registry,
    UnknownDefinition,
)
from tests.unit.party_saga import step

V1 = SagaDefinition(name="parcel", steps=(step("a"),))
V2 = SagaDefinition(name="parcel", steps=(step("a"), step("b")), version=2)
OTHER = SagaDefinition(name="other", steps=(step("x"),))


def test_two_versions_are_both_registered_and_new_sagas_start_on_the_latest() -> None:
    registry = Registry.of(V2, V1, OTHER)

    assert registry["parcel"] is V2  # the mapping existing callers read: start versions
    assert dict(registry) == {"other": OTHER, "parcel": V2}
    assert registry.at("parcel", 1) is V1 and registry.at("parcel") is V2
    assert dict(registry.versions("parcel")) == {1: V1, 2: V2}
    assert [d.label for d in registry.every()] == ["other@1", "parcel@1", "parcel@2"]
    assert registry.start_version("parcel") == 2


def test_a_pin_keeps_new_sagas_on_an_older_version() -> None:
    registry = Registry.of(V1, V2, OTHER, pins=" parcel@1 , other@1")

    assert registry["parcel"] is V1
    assert registry.at("parcel", 2) is V2  # still registered: its sagas run


@pytest.mark.parametrize(
    ("pins", "error", "message"),
    [
        ("parcel@3", UnknownDefinition, "SAGA_START_VERSIONS pins parcel@3, but saga definition"
         " parcel@3 is not registered here (registered: parcel@1, parcel@2)"),
        ("nope@1", UnknownDefinition, "(registered: none of that name)"),
        ("parcel@x", MalformedSpec, "SAGA_START_VERSIONS: malformed definition 'parcel@x'"),
        ("parcel", MalformedSpec, "SAGA_START_VERSIONS: 'parcel' names no version"),
        ("parcel@1,parcel@2", MalformedSpec, "SAGA_START_VERSIONS pins parcel twice"),
    ],
)  # fmt: skip
def test_a_bad_pin_is_an_error_at_start(pins: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as refused:
        Registry.of(V1, V2, pins=pins)
    assert message in str(refused.value)


def test_the_registry_of_the_process_reads_the_pin_once_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAGA_START_VERSIONS", "checkout@9")
    saga_registry.definitions.cache_clear()
    try:
        with pytest.raises(
            UnknownDefinition, match=r"pins checkout@9, but .*\(registered: checkout@1"
        ):
            saga_registry.definitions()
    finally:
        monkeypatch.delenv("SAGA_START_VERSIONS")
        saga_registry.definitions.cache_clear()


def test_an_unknown_version_names_what_is_registered() -> None:
    registry = Registry.of(V1, V2)

    with pytest.raises(UnknownDefinition) as refused:
        registry.at("parcel", 3)
    assert str(refused.value) == (
        "saga definition parcel@3 is not registered here (registered: parcel@1, parcel@2)"
    )
    with pytest.raises(
        UnknownDefinition, match=r"unknown saga definition 'trip' \(known: parcel\)"
    ):
        registry.at("trip")


def test_a_stored_saga_finds_its_version_in_a_registry_of_one() -> None:
    assert Registry.of(V1).at("parcel", 1) is V1
    with pytest.raises(
        UnknownDefinition, match=r"parcel@2 is not registered here \(registered: parcel@1\)"
    ):
        Registry.of(V1).at("parcel", 2)


def test_the_same_version_from_two_places_is_refused_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    impostor = SagaDefinition(name="parcel", steps=(step("z"),), version=2)

    def found() -> Iterator[tuple[str, SagaDefinition]]:
        yield "sagas.parcel.definition:DEFINITIONS[0]", V1
        yield "sagas.parcel.definition:DEFINITIONS[1]", V2
        yield "elsewhere.sagas:PARCEL", impostor

    monkeypatch.setattr(saga_registry, "_found", found)
    with pytest.raises(DuplicateDefinition) as refused:
        saga_registry.gather_versions()
    assert str(refused.value) == (
        "saga definition parcel@2 is defined twice: in sagas.parcel.definition:DEFINITIONS[1]"
        " and in elsewhere.sagas:PARCEL"
    )


def test_a_module_registers_its_versions_with_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("parcel_versions")
    module.DEFINITIONS = (V1, V2)  # type: ignore[attr-defined]
    module.MIXED = (V1, OTHER)  # type: ignore[attr-defined]
    module.WRONG = [V1]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "parcel_versions", module)

    found = list(saga_registry._definitions("parcel_versions", "DEFINITIONS"))
    assert found == [("parcel_versions:DEFINITIONS[0]", V1), ("parcel_versions:DEFINITIONS[1]", V2)]
    assert saga_registry.gather_versions(found) == {("parcel", 1): V1, ("parcel", 2): V2}
    with pytest.raises(TypeError, match=r"must hold versions of one definition"):
        list(saga_registry._definitions("parcel_versions", "MIXED"))
    with pytest.raises(TypeError, match=r"is list, not a SagaDefinition or a tuple of them"):
        list(saga_registry._definitions("parcel_versions", "WRONG"))


def test_every_version_is_scaled_by_saga_policy_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAGA_POLICY_SCALE", "0.5")
    saga_registry.definitions.cache_clear()
    try:
        for definition in saga_registry.definitions().every():
            written = saga_registry.gather_versions()[(definition.name, definition.version)]
            assert definition.steps[0].policy.timeout == written.steps[0].policy.timeout * 0.5
    finally:
        monkeypatch.delenv("SAGA_POLICY_SCALE")
        saga_registry.definitions.cache_clear()
