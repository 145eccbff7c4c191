"""The orchestrator's commands and the events it logs follow ``SAGA_EMIT_VERSIONS`` as a
participant's replies do: written under the setting, the outbox row and the event log hold
the older version and the older payload shape (the dispatcher sends events as logged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from messaging import versions
from messaging.contracts.saga_status import SagaStatus
from messaging.outbox import add
from messaging.tables import metadata as platform_tables
from messaging.tables import outbox
from orchestrator import event_tables
from orchestrator.engine.state import SagaState
from orchestrator.engine.transition import OutgoingCommand, Transition
from orchestrator.saga_store import rows
from orchestrator.saga_store import tables as saga_tables
from tests.stores import throwaway_store
from tests.versioned_messages import ParcelWeighedV3, Weight, cataloged

pytestmark = pytest.mark.service

V3 = ParcelWeighedV3(parcel_id="p-1", weight=Weight(grams=1200, scale="floor"))
V1_SHAPE = {"parcel_id": "p-1", "grams": 1200}


@pytest.fixture
def engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    metadata = (platform_tables, saga_tables.metadata, event_tables.metadata)
    with throwaway_store(kind, tmp_path, *metadata) as built:
        yield built


@pytest.fixture
def emitting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(versions.VARIABLE, "ParcelWeighed=1")
    with cataloged(ParcelWeighedV3):
        versions.emitted.cache_clear()
        yield
    versions.emitted.cache_clear()


@pytest.mark.usefixtures("emitting")
def test_commands_and_logged_events_are_written_at_the_older_version(engine: Engine) -> None:
    state = SagaState(status=SagaStatus.RUNNING, current_step=0, steps=(), data={})
    command = OutgoingCommand(message_id="cmd-1", service="weighbridge", step="weigh", payload=V3)
    transition = Transition(state=state, commands=(command,), events=(V3,))

    with engine.begin() as conn:
        outgoing = rows.record(
            conn,
            saga_id="saga-1",
            business_key="p-1",
            correlation_id="corr-1",
            causation_id="corr-1",
            version=1,
            transition=transition,
        )
        add(conn, outgoing)

    with engine.connect() as conn:
        (sent,) = conn.execute(select(outbox.c.body)).scalars()
        (logged,) = conn.execute(select(event_tables.event_log.c.body)).scalars()
    for body in (sent, logged):
        assert (body["schema_version"], body["payload"]) == (1, V1_SHAPE)
