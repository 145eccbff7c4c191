"""A message of a type the participant has no handler for is parked at once, with the
reason ``<service> does not handle <Type>``: no retry, nothing handled, nothing sent. (Its
isinstance chain raised TypeError, which was retried three times as a bug first.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.contracts import Envelope, Payload
from messaging.contracts.inventory import InventoryReserved, ReserveInventory, StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import ChargePayment
from messaging.contracts.shipping import CreateShipment
from messaging.service_app import ServiceApp
from messaging.tables import metadata as platform_tables
from participants.payment import bootstrap as payment_bootstrap
from participants.payment import migrations as payment_migrations
from participants.payment import store as payment_store
from tests.service.harness import Participant
from tests.stores import throwaway_store

pytestmark = pytest.mark.service

LINES = [StockLine(sku="SKU-1", quantity=1)]
ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)
CHARGE = ChargePayment(order_id="ord-1", amount_cents=100, currency="EUR", payment_token="t")
RESERVE = ReserveInventory(order_id="ord-1", items=LINES)
SHIP = CreateShipment(order_id="ord-1", address=ADDRESS, items=LINES)
REPLY = InventoryReserved(order_id="ord-1", reservation_id="res-1", items=LINES)

# each participant, given another's command, and a reply that only the orchestrator reads
NOT_THEIRS = [
    ("inventory", CHARGE),
    ("inventory", REPLY),
    ("payment", SHIP),
    ("payment", RESERVE),
    ("shipping", RESERVE),
    ("shipping", CHARGE),
    ("fraud", CHARGE),
    ("fraud", REPLY),
]


def wrapped(payload: Payload) -> dict[str, Any]:
    return Envelope.wrap(payload, saga_id="saga-1", correlation_id="corr-1").to_json_dict()


@pytest.mark.parametrize(
    ("service", "payload"), NOT_THEIRS, ids=[f"{s}-{p.message_type}" for s, p in NOT_THEIRS]
)
def test_a_type_without_a_handler_is_parked_at_once(service, payload, participant):
    receiver: Participant = participant(service)
    raw = wrapped(payload)

    task = receiver.deliver(raw)  # a retry would raise Retried

    (letter,) = receiver.parked()
    assert letter.reason == f"{service} does not handle {payload.message_type}"
    assert (letter.task_name, letter.message_id) == (f"{service}.handle_message", raw["message_id"])
    assert task.retried == []
    assert receiver.handled_ids() == []  # the inbox claim rolled back with the rest
    assert receiver.outbox_ids() == []
    assert receiver.published == []


def test_it_is_parked_again_if_replayed(payment):
    """A replay by an operator (``sagactl dlq replay``) meets the same registry."""
    raw = wrapped(SHIP)

    payment.deliver(raw)
    payment.deliver(raw)

    assert [letter.reason for letter in payment.parked()] == [
        "payment does not handle CreateShipment"
    ] * 2
    assert payment.handled_ids() == []


# --- the same through the worker's own task -----------------------------------------------


class OwnTasksApp(ServiceApp):
    """An app whose tasks are its own: Celery's default (``shared=True``) would also give
    every app built later in this process this app's tasks, bound to this test's store."""

    def task(self, *args: Any, **opts: Any) -> Any:
        return super().task(*args, **{"shared": False, **opts})


@pytest.fixture
def payment_app(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], ServiceApp]]:
    """Payment's app as its worker builds it, on this test's store; its broker is in
    memory, so nothing here can reach a shared Redis."""
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    with throwaway_store(kind, tmp_path, platform_tables, payment_store.metadata) as engine:
        monkeypatch.setenv("PAYMENT_DATABASE_URL", url_of(engine))
        app = OwnTasksApp("payment", payment_migrations.SCHEMA)
        register_inbound_task(app, payment_bootstrap.registry({}), PARTICIPANT)
        yield lambda: app
        app.engine.dispose()
        app.close()


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_the_workers_task_parks_it_at_once(payment_app):
    app = payment_app()
    raw = wrapped(RESERVE)

    # called in this process: a retry would raise here instead of going back to a queue
    assert app.tasks["payment.handle_message"](message=raw) is None

    listed = app.tasks["payment.dead_letters"]()
    assert listed["parked"] == 1
    (letter,) = listed["dead_letters"]
    assert letter["reason"] == "payment does not handle ReserveInventory"
    assert letter["message_id"] == raw["message_id"]
