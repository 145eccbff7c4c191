"""A message newer than its receiver reads is parked at once with the upgrade-then-replay
reason, nothing handled; once the receiver runs the newer class, its own
``<service>.replay_dead_letters`` task sends the letter back through the inbound task,
where it is decoded again and handled. An older message is handled at once, upcast."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import simple
from sqlalchemy import Connection, Engine

from messaging.codec import Message
from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.contracts import Envelope, Payload
from messaging.handlers import Registry
from messaging.outbox import OutgoingMessage
from messaging.schema import StoreSchema
from messaging.service_app import ServiceApp
from messaging.tables import metadata as platform_tables
from tests.service.harness import Participant
from tests.stores import throwaway_store
from tests.versioned_messages import (
    ParcelWeighedV1,
    ParcelWeighedV2,
    ParcelWeighedV3,
    Weight,
    cataloged,
)

pytestmark = pytest.mark.service

SimpleQueue: Any = simple.SimpleQueue  # kombu is untyped

SERVICE = "weighbridge"
V3 = ParcelWeighedV3(parcel_id="p-1", weight=Weight(grams=1200, scale="floor"))
REASON = (
    "ParcelWeighed schema version 3 is newer than this service reads (2): upgrade this "
    "service, then replay its dead letters (sagactl dlq replay --all --service weighbridge)"
)


def sent(payload: Payload) -> dict[str, Any]:
    return Envelope.wrap(payload, saga_id="saga-1", correlation_id="corr-1").to_json_dict()


def receiver(cls: type[Payload], seen: list[Payload]) -> Registry:
    """The service at the version of ``cls``: it keeps what it handles, sends nothing."""

    def weighed(conn: Connection, message: Message[Any]) -> list[OutgoingMessage]:
        seen.append(message.payload)
        return []

    return Registry(SERVICE, {cls: weighed})


@pytest.fixture
def store(kind: str, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(kind, tmp_path, platform_tables) as engine:
        yield engine


def test_a_newer_message_is_parked_at_once_with_the_reason(store: Engine) -> None:
    seen: list[Payload] = []
    service = Participant.on(SERVICE, store, receiver(ParcelWeighedV2, seen))
    raw = sent(V3)

    with cataloged(ParcelWeighedV2):
        task = service.deliver(raw)

    (letter,) = service.parked()
    assert (letter.reason, letter.message_id) == (REASON, raw["message_id"])
    assert task.retried == []
    assert (seen, service.handled_ids()) == ([], [])


def test_an_older_message_is_handled_upcast(store: Engine) -> None:
    seen: list[Payload] = []
    service = Participant.on(SERVICE, store, receiver(ParcelWeighedV2, seen))
    raw = sent(ParcelWeighedV1(parcel_id="p-1", grams=1200))

    with cataloged(ParcelWeighedV2):
        service.deliver(raw)

    assert seen == [ParcelWeighedV2(parcel_id="p-1", weight_grams=1200, scale="unknown")]
    assert (service.parked(), service.handled_ids()) == ([], [raw["message_id"]])


# --- the upgrade, and the replay through the service's own tasks ---------------------------


class OwnTasksApp(ServiceApp):
    """An app whose tasks are its own (Celery's default would share them with every app
    built later in this process, bound to this test's store)."""

    def task(self, *args: Any, **opts: Any) -> Any:
        return super().task(*args, **{"shared": False, **opts})


def worker_app(cls: type[Payload], seen: list[Payload]) -> ServiceApp:
    """The service's app as a worker at ``cls``'s version builds it, on this test's store."""
    app = OwnTasksApp(SERVICE, StoreSchema.of(SERVICE))
    register_inbound_task(app, receiver(cls, seen), PARTICIPANT)
    return app


def run_queued(app: ServiceApp) -> int:
    """Run, in this process, every task message waiting on the service's queue (the
    in-memory broker): what the upgraded worker would take from Redis."""
    ran = 0
    with app.connection_for_read() as conn:
        queue = SimpleQueue(conn, SERVICE)
        while queue.qsize():
            delivered = queue.get(block=False)
            args, kwargs, _embed = delivered.payload
            app.tasks[delivered.headers["task"]](*args, **kwargs)
            delivered.ack()
            ran += 1
        queue.close()
    return ran


@pytest.fixture
def on_store(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's settings: this test's store, and a broker in memory, so nothing here
    can reach a shared Redis."""
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    monkeypatch.setenv("WEIGHBRIDGE_DATABASE_URL", store.url.render_as_string(False))


@pytest.mark.usefixtures("on_store")
def test_after_the_upgrade_the_replay_decodes_it_again_and_handles_it() -> None:
    raw = sent(V3)
    old_seen: list[Payload] = []
    old = worker_app(ParcelWeighedV2, old_seen)
    with cataloged(ParcelWeighedV2):
        old.tasks[f"{SERVICE}.handle_message"](message=raw)
    parked = old.tasks[f"{SERVICE}.dead_letters"]()
    assert [letter["reason"] for letter in parked["dead_letters"]] == [REASON]

    new_seen: list[Payload] = []
    new = worker_app(ParcelWeighedV3, new_seen)  # the upgraded worker
    with cataloged(ParcelWeighedV3), new.connection_for_read() as conn:
        SimpleQueue(conn, SERVICE).close()  # the worker's queue exists, as in Redis
        replayed = new.tasks[f"{SERVICE}.replay_dead_letters"]()
        assert run_queued(new) == 1

    assert replayed["replayed"] == [parked["dead_letters"][0]["id"]]
    assert (old_seen, new_seen) == ([], [V3])
    assert new.tasks[f"{SERVICE}.dead_letters"]()["parked"] == 0
    for app in (old, new):
        app.engine.dispose()
        app.close()
