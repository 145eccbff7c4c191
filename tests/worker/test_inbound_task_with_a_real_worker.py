"""Inventory's inbound task on a real Celery worker (the classic in-process one) and a real
Redis, its store a SQLite file: a command is handled and its reply published; the same
command delivered again gets the same reply and reserves nothing more; a message that is
no envelope, and one the worker cannot even decode, are parked as dead letters. The
commands are sent as the outbox sends them (CeleryPublisher); the replies are read from
their queue with kombu."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.app import setup_default_app
from kombu import Connection  # type: ignore[attr-defined]
from kombu.simple import SimpleQueue

from messaging import dead_letters
from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.contracts import Envelope
from messaging.contracts.inventory import ReserveInventory, StockLine
from messaging.routing import inbound_task
from messaging.service_app import ServiceApp
from participants.inventory import handlers, migrations, store
from tests.platform import wait_for

WAIT = 15.0  # seconds: the longest any step here may take


@pytest.fixture
def celery_app(
    celery_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServiceApp]:
    """The app that ``celery_worker`` runs: inventory's, built as
    participants/inventory/worker.py builds it, on a SQLite file of this test, consuming a
    queue of this test, on the broker of ``celery_config``."""
    monkeypatch.setenv("SAGA_BROKER_URL", celery_config["broker_url"])
    monkeypatch.setenv("SAGA_RESULT_BACKEND", celery_config["result_backend"])
    monkeypatch.setenv("INVENTORY_DATABASE_URL", f"sqlite:///{tmp_path / 'inventory.db'}")
    app = ServiceApp("inventory", migrations.SCHEMA, queue=f"inventory-{uuid.uuid4().hex[:8]}")
    app.conf.update(celery_config)
    # As the classic fixture does: the current app is put back after the test, and so is
    # Celery's list of shared tasks (app.task's tasks are shared: each would be added to
    # the next test's app too, under the same name).
    with setup_default_app(app):
        register_inbound_task(app, handlers.registry(), PARTICIPANT)
        yield app
    app.engine.dispose()


@pytest.fixture
def replies(celery_config: dict[str, Any]) -> Iterator[SimpleQueue]:
    """The queue the commands name as ``reply_to``, declared before anything is sent."""
    name = f"replies-{uuid.uuid4().hex[:8]}"
    with Connection(celery_config["broker_url"]) as conn, conn.SimpleQueue(name) as queue:  # type: ignore[no-untyped-call]
        yield queue


def _reserve(replies: SimpleQueue, sku: str, quantity: int) -> dict[str, Any]:
    command = ReserveInventory(order_id="ord-1", items=[StockLine(sku=sku, quantity=quantity)])
    envelope = Envelope.wrap(
        command, saga_id=str(uuid.uuid4()), correlation_id="corr-1", reply_to=replies.queue.name
    )
    return envelope.to_json_dict()


def _send(app: ServiceApp, message: Any, message_id: str) -> None:
    """As the outbox relay sends a message to inventory."""
    app.publisher.send(inbound_task("inventory"), app.queue, message, message_id)


def _next_reply(replies: SimpleQueue) -> tuple[str, dict[str, Any]]:
    """The task name and the envelope of the next message on the reply queue."""
    message = replies.get(timeout=WAIT)  # type: ignore[no-untyped-call]
    message.ack()
    _args, kwargs, _embed = message.decode()
    return message.headers["task"], kwargs["message"]


def _stock(app: ServiceApp, sku: str) -> tuple[dict[str, Any] | None, int]:
    """The stock of ``sku`` and how many reservations the order has."""
    with app.engine.begin() as conn:
        return store.stock_view(conn, sku), len(store.reservations_of(conn, "ord-1"))


def _set_stock(app: ServiceApp, sku: str, quantity: int) -> None:
    with app.engine.begin() as conn:
        store.set_level(conn, sku, quantity)


def test_a_command_is_handled_and_its_reply_published(
    celery_app: ServiceApp, celery_worker: Any, replies: SimpleQueue
) -> None:
    _set_stock(celery_app, "SKU-1", 5)
    command = _reserve(replies, "SKU-1", 2)

    _send(celery_app, command, command["message_id"])
    task, reply = _next_reply(replies)

    assert task == f"{replies.queue.name}.handle_message"  # the sender's inbound task
    assert reply["type"] == "InventoryReserved"
    assert reply["causation_id"] == command["message_id"]
    assert (reply["saga_id"], reply["correlation_id"]) == (command["saga_id"], "corr-1")
    assert reply["payload"]["items"] == [{"sku": "SKU-1", "quantity": 2}]
    assert _stock(celery_app, "SKU-1") == ({"sku": "SKU-1", "available": 3, "reserved": 2}, 1)


def test_a_command_delivered_again_gets_the_same_reply_and_reserves_nothing_more(
    celery_app: ServiceApp, celery_worker: Any, replies: SimpleQueue
) -> None:
    _set_stock(celery_app, "SKU-1", 5)
    command = _reserve(replies, "SKU-1", 2)

    _send(celery_app, command, command["message_id"])
    _, first = _next_reply(replies)
    _send(celery_app, command, command["message_id"])  # as a redelivery brings it
    _, second = _next_reply(replies)

    assert second == first  # the very same reply: its id, its reservation
    assert _stock(celery_app, "SKU-1") == ({"sku": "SKU-1", "available": 3, "reserved": 2}, 1)


def test_a_message_that_is_no_envelope_is_parked(
    celery_app: ServiceApp, celery_worker: Any
) -> None:
    _send(celery_app, {"message_id": "m-1", "type": "ReserveInventory"}, "m-1")

    parked = wait_for(lambda: dead_letters.list_parked(celery_app.engine), bool, timeout=WAIT)

    assert [(d.task_name, d.message_id) for d in parked] == [("inventory.handle_message", "m-1")]
    assert parked[0].reason.startswith("invalid envelope: ")


def test_a_message_the_worker_cannot_decode_is_parked_by_its_consumer(
    celery_app: ServiceApp, celery_worker: Any
) -> None:
    celery_app.send_task(
        inbound_task("inventory"),
        kwargs={"message": "pickled"},
        queue=celery_app.queue,
        serializer="pickle",  # the worker accepts JSON only
    )

    parked = wait_for(lambda: dead_letters.list_parked(celery_app.engine), bool, timeout=WAIT)

    assert [d.task_name for d in parked] == ["inventory.handle_message"]
    assert "Refusing to deserialize untrusted content of type pickle" in parked[0].reason
    assert "application/x-python-serialize" in parked[0].body
