"""A ``SAGA_EMIT_VERSIONS`` setting the code cannot honour stops the worker at start, with
a reason naming the setting and what is wrong: an older version needs a declared
downcaster path, and the type must be one the catalog knows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from messaging import versions
from messaging.contracts import catalog
from messaging.schema import StoreSchema
from messaging.service_app import ServiceApp
from tests.versioned_messages import ParcelWeighedV3, ParcelWeighedV3FromTwo, cataloged


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        (
            "ParcelWeighed=1",
            "SAGA_EMIT_VERSIONS: ParcelWeighed cannot be written at schema version 1: this "
            "code writes versions 3 (an older one needs a downcaster on ParcelWeighedV3FromTwo)",
        ),
        ("ParcelWeighed=4", "SAGA_EMIT_VERSIONS: ParcelWeighed cannot be written at schema"),
        ("ParcelWeighed", "SAGA_EMIT_VERSIONS: 'ParcelWeighed' is not TYPE=VERSION"),
        ("ParcelWeighed=two", "SAGA_EMIT_VERSIONS: 'ParcelWeighed=two' is not TYPE=VERSION"),
        ("ParcelWeighd=1", "SAGA_EMIT_VERSIONS: unknown message type 'ParcelWeighd'"),
        ("ParcelWeighed=3,ParcelWeighed=3", "SAGA_EMIT_VERSIONS: ParcelWeighed is named twice"),
    ],
)
def test_a_setting_the_code_cannot_honour_is_refused(setting: str, reason: str) -> None:
    with cataloged(ParcelWeighedV3FromTwo) as known, pytest.raises(versions.BadEmitVersions) as bad:
        versions.parse(setting, known)

    assert str(bad.value).startswith(reason)


def test_a_version_with_a_downcaster_path_is_accepted() -> None:
    with cataloged(ParcelWeighedV3) as known:
        chosen = versions.parse(" ParcelWeighed = 1 , ReserveInventory=1,", known)

    assert dict(chosen) == {"ParcelWeighed": 1, "ReserveInventory": 1}


def test_no_setting_writes_every_type_at_its_own_version() -> None:
    assert dict(versions.parse("", catalog())) == {}


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(versions.VARIABLE, "ReserveInventory=3")
    versions.emitted.cache_clear()
    yield
    versions.emitted.cache_clear()


def test_the_worker_stops_at_start_naming_the_setting(setting: None) -> None:
    app = ServiceApp("inventory", StoreSchema.of("inventory"))

    with pytest.raises(SystemExit) as stopped:
        app._run_start_checks()

    assert str(stopped.value) == (
        "inventory cannot start: SAGA_EMIT_VERSIONS: ReserveInventory cannot be written at "
        "schema version 3: this code writes versions 1, 2 (an older one needs a downcaster on "
        "ReserveInventory)"
    )
    app.close()
