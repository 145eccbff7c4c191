"""Two replies for the same saga handled at once by two orchestrator processes never
corrupt it: the row lock (PostgreSQL) or the write lock (SQLite) serialises them and the
version check refuses a stale write."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from devtools.scratch_databases import postgres_database
from messaging import inbox, tables
from messaging.codec import decode
from messaging.consumer import Conflict
from messaging.contracts import Envelope
from messaging.contracts.inventory import InventoryReserved, StockLine
from messaging.database import build_engine, create_schema
from orchestrator import event_tables
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions, reads
from orchestrator.saga_store import tables as saga_tables
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.conftest import POSTGRES_ADMIN_URL
from tests.platform import order

pytestmark = pytest.mark.service

ROUNDS = 15


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orchestrator.db'}"
        return
    with postgres_database(POSTGRES_ADMIN_URL, f"saga_c{uuid.uuid4().hex[:8]}") as url:
        yield url


def _start_saga(url: str) -> tuple[str, str]:
    engine = build_engine(url)
    create_schema(engine, tables.metadata, saga_tables.metadata, event_tables.metadata)
    submitted = order(sku="SKU-C", quantity=1)
    with engine.begin() as conn:
        started = actions.begin(conn, CHECKOUT, submitted["order_id"], {"order": submitted}, "c")
        awaiting = conn.execute(
            select(saga_tables.sagas.c.awaiting).where(
                saga_tables.sagas.c.saga_id == started.saga_id
            )
        ).scalar_one()
    engine.dispose()
    return started.saga_id, awaiting


def _reply(saga_id: str, causation_id: str) -> dict[str, Any]:
    payload = InventoryReserved(
        order_id="o",
        reservation_id=f"res-{uuid.uuid4().hex[:6]}",
        items=[StockLine(sku="S", quantity=1)],
    )
    envelope = Envelope.wrap(
        payload, saga_id=saga_id, correlation_id="c", causation_id=causation_id
    )
    return envelope.to_json_dict()


def _handle(url: str, raw: dict[str, Any], barrier: Any) -> int:
    """What the orchestrator's inbound task does, in a process of its own."""
    engine = build_engine(url)
    message = decode(raw)
    barrier.wait(timeout=30)
    try:
        with engine.begin() as conn:
            inbox.claim(conn, message.envelope.message_id, message.type)
            return len(actions.apply_reply(conn, definitions(), message))
    finally:
        engine.dispose()


def test_two_replies_at_once_advance_the_saga_exactly_once(store_url: str) -> None:
    # Spawned, not forked: the test process has broker client threads a fork could copy
    # mid-lock.
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(max_workers=2, mp_context=context) as pool,
    ):
        for _ in range(ROUNDS):
            saga_id, awaiting = _start_saga(store_url)
            barrier = manager.Barrier(2)
            futures = [
                pool.submit(_handle, store_url, _reply(saga_id, awaiting), barrier)
                for _ in range(2)
            ]
            assert sorted(f.result(timeout=60) for f in futures) == [0, 1]

            engine = build_engine(store_url)
            with engine.begin() as conn:
                saga = reads.find(conn, saga_id=saga_id)
            engine.dispose()
            assert saga.version == 2
            assert saga.current_step == "charge_payment"
            kinds = [h.kind for h in saga.history]
            assert kinds.count("reply_applied") == 1
            assert kinds.count("reply_ignored") == 1
            assert kinds.count("command_sent") == 2  # ReserveInventory, then one ChargePayment


def test_a_write_from_a_stale_read_is_refused(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    saga_id, awaiting = _start_saga(store_url)
    engine = build_engine(store_url)
    with engine.begin() as conn:
        stale = conn.execute(
            select(saga_tables.sagas).where(saga_tables.sagas.c.saga_id == saga_id)
        ).one()
        conn.execute(saga_tables.sagas.update().values(version=stale.version + 1))
    # Another process moved the saga on after our read; our write must not land.
    monkeypatch.setattr(actions, "load_for_update", lambda _conn, _saga_id: stale)
    with pytest.raises(Conflict), engine.begin() as conn:
        actions.apply_reply(conn, definitions(), decode(_reply(saga_id, awaiting)))
    with engine.begin() as conn:
        saga = reads.find(conn, saga_id=saga_id)
    engine.dispose()
    assert saga.current_step == "reserve_inventory"
    assert saga.version == stale.version + 1
