"""Stores for the retention tests: an orchestrator's store (shared tables, sagas, event
log) seeded with a row of every kind retention must tell apart: sagas in every state,
old and new; outbox rows published or not, old and new; inbox rows; dead letters parked
or replayed; events behind and ahead of a subscription."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from messaging.retention_policy import RetentionSettings
from messaging.tables import dead_letters, inbox, outbox
from orchestrator.event_tables import event_deliveries, event_log, subscriptions
from orchestrator.saga_store.tables import saga_history, sagas

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)  # past every default setting
NEW = NOW - timedelta(minutes=5)  # within every one
STATES = ("running", "awaiting_approval", "compensating", "failed", "completed", "compensated")
HISTORY_PER_SAGA = 3


def settings(**env: str) -> RetentionSettings:
    return RetentionSettings.from_env(env)


def add_saga(engine: Engine, status: str, updated_at: datetime, history: int = 0) -> str:
    saga_id = f"{status}-{'old' if updated_at < NOW - timedelta(days=1) else 'new'}-"
    saga_id += uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        conn.execute(
            insert(sagas).values(
                saga_id=saga_id,
                definition="checkout",
                definition_version=1,
                business_key=saga_id,
                correlation_id=saga_id,
                status=status,
                current_step=None,
                steps={"reserve_inventory": "done"},
                data={"order_id": saga_id},
                version=3,
                created_at=updated_at - timedelta(minutes=1),
                updated_at=updated_at,
            )
        )
        for n in range(history):
            conn.execute(
                insert(saga_history).values(
                    saga_id=saga_id,
                    at=updated_at - timedelta(seconds=history - n),
                    version=n + 1,
                    kind="transition",
                    detail={"n": n},
                )
            )
    return saga_id


def every_saga(engine: Engine) -> dict[str, str]:
    """A saga of every state, updated long ago and just now: saga id -> its label."""
    made = {}
    for status in STATES:
        for label, at in (("old", OLD), ("new", NEW)):
            made[add_saga(engine, status, at, HISTORY_PER_SAGA)] = f"{status} {label}"
    return made


def add_outbox(engine: Engine, created_at: datetime, published_at: datetime | None) -> int:
    with engine.begin() as conn:
        done = conn.execute(
            insert(outbox).values(
                message_id=uuid.uuid4().hex,
                message_type="ReserveInventory",
                task_name="inventory.handle_message",
                queue="inventory",
                body={"n": 1},
                created_at=created_at,
                published_at=published_at,
            )
        )
        assert done.inserted_primary_key is not None
        return int(done.inserted_primary_key[0])


def add_inbox(engine: Engine, received_at: datetime) -> str:
    message_id = uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            insert(inbox).values(
                message_id=message_id, message_type="InventoryReserved", received_at=received_at
            )
        )
    return message_id


def add_dead_letter(
    engine: Engine, parked_at: datetime, status: str, handled_at: datetime | None
) -> int:
    with engine.begin() as conn:
        done = conn.execute(
            insert(dead_letters).values(
                parked_at=parked_at,
                task_name="orchestrator.handle_message",
                reason="malformed",
                body="{}",
                status=status,
                handled_at=handled_at,
            )
        )
        assert done.inserted_primary_key is not None
        return int(done.inserted_primary_key[0])


def add_events(engine: Engine, created_at: datetime, count: int) -> list[int]:
    ids = []
    with engine.begin() as conn:
        for _ in range(count):
            done = conn.execute(
                insert(event_log).values(
                    event_id=uuid.uuid4().hex,
                    event_type="OrderConfirmed",
                    saga_id="saga",
                    body={"type": "OrderConfirmed"},
                    created_at=created_at,
                )
            )
            assert done.inserted_primary_key is not None
            ids.append(int(done.inserted_primary_key[0]))
    return ids


def subscribe(engine: Engine, name: str, position: int, **extra: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(subscriptions).values(
                name=name,
                queue=f"reactor.{name}",
                events=["OrderConfirmed"],
                owner=name,
                origin="announced",
                start="earliest",
                active=extra.pop("active", True),
                position=position,
                head=extra.pop("head", 0),
                created_at=NOW,
                updated_at=NOW,
                **extra,
            )
        )


def deliver(engine: Engine, name: str, seq: int, event_log_id: int) -> None:
    """A copy given out and not yet acknowledged."""
    with engine.begin() as conn:
        conn.execute(
            insert(event_deliveries).values(subscription=name, seq=seq, event_log_id=event_log_id)
        )


def keys(engine: Engine, column: Any) -> set[Any]:
    with engine.connect() as conn:
        return set(conn.execute(select(column)).scalars())
