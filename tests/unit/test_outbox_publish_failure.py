"""A publish that fails right after commit is not the handler's failure: the rows stay
unpublished for the relay (a real SQLite store, a publisher that cannot reach the broker)."""

from __future__ import annotations

from pathlib import Path

from messaging import outbox, tables
from messaging.contracts import Envelope
from messaging.contracts.inventory import ReleaseInventory
from messaging.database import build_engine, create_schema
from messaging.outbox import OutgoingMessage, PendingRow


class BrokerDown:
    def __init__(self) -> None:
        self.tried: list[str] = []

    def publish(self, row: PendingRow) -> None:
        self.tried.append(row.message_id)
        raise RuntimeError("Acquire on closed pool")


class Broker:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def publish(self, row: PendingRow) -> None:
        self.sent.append(row.message_id)


def test_failed_fast_path_leaves_rows_for_the_relay(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'service.db'}")
    create_schema(engine, tables.metadata)
    envelope = Envelope.wrap(
        ReleaseInventory(order_id="o", reservation_id="r"), saga_id="s", correlation_id="c"
    )
    with engine.begin() as conn:
        rows = outbox.add(conn, [OutgoingMessage.to_service("inventory", envelope)])

    down = BrokerDown()
    assert outbox.publish_now(engine, down, rows) == 0
    assert down.tried == [envelope.message_id]
    with engine.begin() as conn:
        assert outbox.unpublished_count(conn) == 1

    broker = Broker()
    assert outbox.relay_pending(engine, broker, older_than=0) == 1
    assert broker.sent == [envelope.message_id]
    with engine.begin() as conn:
        assert outbox.unpublished_count(conn) == 0
    engine.dispose()
