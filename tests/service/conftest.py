"""Each participant on a store of its own, SQLite and PostgreSQL, with the platform's
tables (inbox, outbox, dead letters) beside its own, built as its worker builds it with
no adapter setting (the fake card network, the fake carrier, the fake fraud scorer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData

from messaging.handlers import Registry
from messaging.tables import metadata as platform_tables
from orchestrator.event_tables import metadata as event_tables
from orchestrator.saga_store.tables import metadata as saga_tables
from participants.fraud import bootstrap as fraud_bootstrap
from participants.fraud import store as fraud_store
from participants.inventory import handlers as inventory_handlers
from participants.inventory import store as inventory_store
from participants.payment import bootstrap as payment_bootstrap
from participants.payment import store as payment_store
from participants.shipping import bootstrap as shipping_bootstrap
from participants.shipping import store as shipping_store
from tests.service.harness import Participant
from tests.stores import KINDS, throwaway_store

PARTICIPANTS: dict[str, tuple[MetaData, Callable[[], Registry]]] = {
    "inventory": (inventory_store.metadata, inventory_handlers.registry),
    "payment": (payment_store.metadata, lambda: payment_bootstrap.registry({})),
    "shipping": (shipping_store.metadata, lambda: shipping_bootstrap.registry({})),
    "fraud": (fraud_store.metadata, lambda: fraud_bootstrap.registry({})),
}


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def participant(kind: str, tmp_path: Path) -> Iterator[Callable[[str], Participant]]:
    """Makes the named participant on a new store of this test's kind."""
    with ExitStack() as stores:

        def make(service: str) -> Participant:
            metadata, registry = PARTICIPANTS[service]
            engine = stores.enter_context(
                throwaway_store(kind, tmp_path, platform_tables, metadata)
            )
            return Participant.on(service, engine, registry())

        yield make


@pytest.fixture
def inventory(participant: Callable[[str], Participant]) -> Participant:
    return participant("inventory")


@pytest.fixture
def payment(participant: Callable[[str], Participant]) -> Participant:
    return participant("payment")


@pytest.fixture
def shipping(participant: Callable[[str], Participant]) -> Participant:
    return participant("shipping")


@pytest.fixture
def fraud(participant: Callable[[str], Participant]) -> Participant:
    return participant("fraud")


@pytest.fixture
def orchestrator_store(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty orchestrator store (shared tables, sagas, event log) of this test's kind."""
    with throwaway_store(kind, tmp_path, platform_tables, saga_tables, event_tables) as engine:
        yield engine
