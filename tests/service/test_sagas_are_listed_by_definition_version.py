"""``orchestrator.list_sagas`` on a real store (SQLite and PostgreSQL): ``parcel`` lists
the sagas of every version, ``parcel@1`` those of one, each saga says its version, and a
malformed spec is a one-line error for the client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine

from messaging.tables import metadata as platform_tables
from orchestrator import event_tables, worker
from orchestrator.saga_registry import Registry
from orchestrator.saga_store import tables as saga_tables
from tests.service.versioned_sagas import V1, V2, begin
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service


@pytest.fixture(params=KINDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        monkeypatch.setattr(worker, "app", SimpleNamespace(engine=built))
        monkeypatch.setattr(worker, "definitions", lambda: Registry.of(V1, V2))
        yield built


def listed(definition: str) -> list[tuple[str, int]]:
    return sorted(
        (s["business_key"], s["definition_version"])
        for s in worker.list_sagas(definition=definition)
    )


def test_a_name_lists_every_version_and_a_label_one(engine: Engine) -> None:
    begin(engine, Registry.of(V1), "ord-1")
    begin(engine, Registry.of(V1), "ord-2")
    begin(engine, Registry.of(V1, V2), "ord-3")

    assert listed("parcel") == [("ord-1", 1), ("ord-2", 1), ("ord-3", 2)]
    assert listed("parcel@1") == [("ord-1", 1), ("ord-2", 1)]
    assert listed("parcel@2") == [("ord-3", 2)]
    assert listed("parcel@3") == []
    assert worker.saga_counts(definition="parcel@1") == {"running": 2}


@pytest.mark.parametrize("spec", ["parcel@x", "parcel@0", "parcel@", "@1", "par cel"])
def test_a_malformed_spec_is_a_one_line_error(engine: Engine, spec: str) -> None:
    with pytest.raises(
        ValueError, match=r"^malformed definition .*: expected NAME or NAME@VERSION"
    ) as refused:
        worker.list_sagas(definition=spec)
    assert "\n" not in str(refused.value)
