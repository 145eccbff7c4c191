"""A worker marks the outbox rows it published in batches, from a thread of its own, a
few times a second (messaging/published_marks.py): after a publish the rows wait in
memory, then one UPDATE marks them all; a store that refuses the mark keeps them for the
next try; a stopping worker marks what waits. Until a row is marked, it is unpublished
to the relay, which sends it again only once it is older than its grace: SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from messaging import outbox
from messaging.contracts import Envelope
from messaging.contracts.inventory import ReleaseInventory
from messaging.outbox import OutgoingMessage, PendingRow
from messaging.published_marks import PublishedMarks
from messaging.tables import metadata as platform_tables
from tests.stores import throwaway_store


class Broker:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def publish(self, row: PendingRow) -> None:
        self.sent.append(row.message_id)


def written(engine: Engine, count: int) -> list[PendingRow]:
    messages = [
        OutgoingMessage.to_service(
            "inventory",
            Envelope.wrap(
                ReleaseInventory(order_id=f"o-{i}", reservation_id=f"r-{i}"),
                saga_id=f"s-{i}",
                correlation_id=f"c-{i}",
            ),
        )
        for i in range(count)
    ]
    with engine.begin() as conn:
        return outbox.add(conn, messages)


def unpublished(engine: Engine) -> int:
    with engine.begin() as conn:
        return outbox.unpublished_count(conn)


def test_published_rows_wait_then_are_marked_in_one_go(kind: str, tmp_path: Path) -> None:
    with throwaway_store(kind, tmp_path, platform_tables) as engine:
        marks = PublishedMarks(lambda: engine, interval=3600)  # its thread never marks here
        broker = Broker()
        for rows in (written(engine, 2), written(engine, 1)):
            assert outbox.publish_now(engine, broker, rows, marks) == len(rows)
        assert len(broker.sent) == 3
        assert marks.waiting() == 3 and unpublished(engine) == 3
        # the relay leaves them alone while they are younger than its grace
        assert outbox.relay_pending(engine, Broker(), older_than=60) == 0

        assert marks.flush() == 3
        assert marks.waiting() == 0 and unpublished(engine) == 0
        assert outbox.relay_pending(engine, Broker(), older_than=0) == 0
        marks.close()


def test_a_refused_mark_is_tried_again(kind: str, tmp_path: Path) -> None:
    with throwaway_store(kind, tmp_path, platform_tables) as engine:
        refusals = [RuntimeError("store down")]

        def store() -> Engine:
            if refusals:
                raise refusals.pop()
            return engine

        marks = PublishedMarks(store, interval=3600)
        outbox.publish_now(engine, Broker(), written(engine, 2), marks)
        assert marks.flush() == 0  # refused: kept
        assert marks.waiting() == 2 and unpublished(engine) == 2
        assert marks.flush() == 2
        assert unpublished(engine) == 0
        marks.close()


def test_its_thread_marks_within_a_few_intervals_and_close_marks_the_rest(
    kind: str, tmp_path: Path
) -> None:
    with throwaway_store(kind, tmp_path, platform_tables) as engine:
        marks = PublishedMarks(lambda: engine, interval=0.05)
        outbox.publish_now(engine, Broker(), written(engine, 3), marks)
        deadline = time.monotonic() + 10
        while unpublished(engine) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert unpublished(engine) == 0

        outbox.publish_now(engine, Broker(), written(engine, 2), marks)  # the thread's or close's
        marks.close()
        assert marks.waiting() == 0 and unpublished(engine) == 0
