"""A reactor that lives outside our packages, registered by entry point only
(see audit_reactor-0.1.dist-info/entry_points.txt). The tests use it to show that a
third party can add a reactor, and to inject slowness and failures:

- an order id containing "audit-slow" makes the handler sleep inside its transaction
  (AUDIT_SLOW_SECONDS), so a test can kill the worker mid-event;
- an order id containing "audit-poison" makes it fail until the file named by
  AUDIT_FIXED_FLAG exists (the "fix" an operator deploys before a replay).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, DateTime, MetaData, String, Table, insert, select

from messaging.contracts.read_models import TrailEntry
from messaging.order_trail import register_order_trail
from messaging.reactors import Reactor

metadata = MetaData()
entries = Table(
    "audit_entries",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

REACTOR = Reactor(
    name="audit",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="audit_reactor:build",
    tables="audit_reactor:metadata",
    tasks="audit_reactor:register",
    max_attempts=3,
    retry_base=0.2,
)


def build() -> Any:
    slow = float(os.environ.get("AUDIT_SLOW_SECONDS", "5"))
    fixed = Path(os.environ.get("AUDIT_FIXED_FLAG", "/nonexistent"))

    def handle(conn: Connection, message: Any) -> None:
        order_id = message.payload.order_id
        if "audit-poison" in order_id and not fixed.exists():
            raise RuntimeError(f"audit cannot handle {order_id} yet")
        conn.execute(
            insert(entries).values(
                event_id=message.envelope.message_id,
                order_id=order_id,
                event_type=message.type,
                recorded_at=datetime.now(UTC),
            )
        )
        if "audit-slow" in order_id:
            time.sleep(slow)

    return handle


def register(app: Any) -> None:
    @app.task(name="reactor.audit.entries", ignore_result=False)
    def audit_entries(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            rows = conn.execute(select(entries).where(entries.c.order_id == order_id)).all()
        return [{**row._mapping, "recorded_at": row.recorded_at.isoformat()} for row in rows]

    # what sagactl history and the web view show for this reactor
    register_order_trail(app, order_trail)


def order_trail(conn: Connection, order_id: str) -> list[TrailEntry]:
    rows = conn.execute(select(entries).where(entries.c.order_id == order_id)).all()
    return [TrailEntry(at=row.recorded_at, what=f"audit: {row.event_type}") for row in rows]
