"""Finished sagas already in the stores, for the cost-growth figures: the rows the warm-up
sagas left in every table of every store, cloned by bulk inserts with fresh ids
(executemany on SQLite, COPY on PostgreSQL).

Every run of 8 or more hex digits in a text value (uuids, reservation and shipment ids,
our order ids, the same ids inside JSON) gets its last 6 digits replaced by the clone's
number, so keys stay unique and a clone's rows point at each other as the original's do.
Aggregate tables (one row per SKU, day or customer) are left as they are.

The event log is cloned last, in one transaction with the subscriptions (d954803): its
new rows are numbered for each subscription (``event_deliveries``) as the dispatcher would
have, and each subscription's position, head and acknowledged move past them, so the
dispatcher never sends the clones; the reactors' watermarks then say they hold them (their
inbox and effect rows are cloned too). Receipts and watermarks are never cloned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    MetaData,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from messaging.database import is_postgresql
from messaging.tables import delivery_receipts, delivery_watermark
from orchestrator.event_tables import event_deliveries, event_log, subscriptions
from orchestrator.saga_store.rows import EVENT_LOG_LOCK

AGGREGATES = frozenset({"stock", "daily_sales", "customers"})
# Rows of the event dispatcher's bookkeeping: derived for the clones, never copied.
DERIVED = frozenset(
    {"subscriptions", "event_deliveries", "delivery_receipts", "delivery_watermark"}
)
# The store's schema revision (Alembic's table): one row, never cloned.
SCHEMA = frozenset({"alembic_version"})
HEX_RUN = re.compile(r"[0-9a-f]{8,}")
MARK = "\x00"  # where a clone's number goes; never in the data, and never sent
BATCH = 20_000


def _marked(value: Any) -> Any:
    if isinstance(value, str):
        return HEX_RUN.sub(lambda m: m[0][:-6] + MARK, value)
    return value


@dataclass
class TableTemplate:
    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class Template:
    """The rows of each table of one store as the warm-up left them, as text."""

    engine: Engine
    tables: list[TableTemplate] = field(default_factory=list)
    # subscription -> its head after the last clones (orchestrator store only)
    heads: dict[str, int] = field(default_factory=dict)

    @classmethod
    def capture(cls, engine: Engine) -> Template:
        template = cls(engine)
        metadata = MetaData()
        metadata.reflect(bind=engine)
        pg = is_postgresql(engine)
        with engine.begin() as conn:
            for table in metadata.sorted_tables:  # parents before children (foreign keys)
                if table.name in AGGREGATES | DERIVED | SCHEMA:
                    continue
                keys = list(table.primary_key.columns)
                columns = [
                    c.name
                    for c in table.columns
                    if not (len(keys) == 1 and c is keys[0] and isinstance(c.type, Integer))
                ]
                listed = ", ".join(f'"{c}"::text' if pg else f'"{c}"' for c in columns)
                rows = conn.exec_driver_sql(f'SELECT {listed} FROM "{table.name}"').all()
                marked = [tuple(_marked(v) for v in row) for row in rows]
                template.tables.append(TableTemplate(table.name, columns, marked))
        return template

    def sagas(self) -> int:
        return sum(len(t.rows) for t in self.tables if t.name == "sagas")

    def insert_clones(self, first: int, count: int) -> int:
        """Insert clones number first .. first+count-1; returns the rows written."""
        written = 0
        for table in self.tables:
            if table.name == event_log.name:
                continue
            for batch in self._clones(table, first, count):
                with self.engine.begin() as conn:
                    written += _write(conn, table, batch)
        logged = next((t for t in self.tables if t.name == event_log.name), None)
        if logged is not None:
            with self.engine.begin() as conn:
                written += self._log_events(conn, logged, first, count)
        if is_postgresql(self.engine):
            with self.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            raw = self.engine.raw_connection()  # autocommit: no BEGIN IMMEDIATE around it
            try:
                cursor = raw.cursor()
                cursor.execute("ANALYZE")
                # A store that grew by itself checkpointed as it went; one bulk load
                # leaves its whole write-ahead log for a worker's commit to checkpoint.
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.close()
            finally:
                raw.close()
        return written

    def _clones(
        self, table: TableTemplate, first: int, count: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        pending: list[tuple[Any, ...]] = []
        for number in range(first, first + count):
            suffix = f"{number:06x}"
            pending.extend(
                tuple(v.replace(MARK, suffix) if isinstance(v, str) else v for v in row)
                for row in table.rows
            )
            if len(pending) >= BATCH:
                yield pending
                pending = []
        if pending:
            yield pending

    def _log_events(self, conn: Connection, table: TableTemplate, first: int, count: int) -> int:
        """The event log's clones, numbered for every subscription, in one transaction
        that holds the subscriptions (the dispatcher skips or waits for them)."""
        if is_postgresql(conn):
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_LOG_LOCK})
            conn.execute(select(subscriptions.c.name).with_for_update()).all()
        top = conn.execute(select(func.max(event_log.c.id))).scalar_one_or_none() or 0
        subs = conn.execute(select(subscriptions).where(subscriptions.c.active.is_(True))).all()
        behind = [s.name for s in subs if s.position < top]
        if behind:  # their live copies would be skipped: the phases wait for them first
            raise RuntimeError(f"the dispatcher has not sent every event to {behind} yet")
        written = 0
        for batch in self._clones(table, first, count):
            written += _write(conn, table, batch)
        new = conn.execute(
            select(event_log.c.id, event_log.c.event_type)
            .where(event_log.c.id > top)
            .order_by(event_log.c.id)
        ).all()
        end = new[-1].id if new else top
        for sub in subs:
            head = sub.head
            numbered = []
            for row in new:
                if row.event_type in sub.events:
                    head += 1
                    numbered.append((sub.name, head, row.id))
            deliveries = TableTemplate(
                event_deliveries.name, ["subscription", "seq", "event_log_id"], numbered
            )
            _write(conn, deliveries, numbered)
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.name == sub.name)
                .values(position=end, head=head, acknowledged=head)
            )
            self.heads[sub.name] = head
        return written


def hold_copies(engine: Engine, head: int) -> None:
    """A reactor's store says it holds every numbered copy up to ``head`` (the clones'
    inbox and effect rows are in it), as its next check would have folded them."""
    with engine.begin() as conn:
        conn.execute(delete(delivery_receipts).where(delivery_receipts.c.seq <= head))
        found = conn.execute(
            select(delivery_watermark.c.contiguous).where(delivery_watermark.c.id == 1)
        ).scalar_one_or_none()
        if found is None:
            conn.execute(insert(delivery_watermark).values(id=1, contiguous=head))
        elif found < head:
            conn.execute(
                update(delivery_watermark)
                .where(delivery_watermark.c.id == 1)
                .values(contiguous=head)
            )


def _write(conn: Connection, table: TableTemplate, rows: list[tuple[Any, ...]]) -> int:
    """Bulk insert in the caller's transaction: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return 0
    columns = ", ".join(f'"{c}"' for c in table.columns)
    if is_postgresql(conn):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in table.columns)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)
    return len(rows)
