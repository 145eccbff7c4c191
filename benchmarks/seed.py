"""Finished sagas already in the stores, for the cost-growth figures: the rows the warm-up
sagas left in every table of every store, cloned by bulk inserts with fresh ids
(executemany on SQLite, COPY on PostgreSQL).

Every run of 8 or more hex digits in a text value (uuids, reservation and shipment ids,
our order ids, the same ids inside JSON) gets its last 6 digits replaced by the clone's
number, so keys stay unique and a clone's rows point at each other as the original's do.
Aggregate tables (one row per SKU, day or customer) are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Integer, MetaData, text

from messaging.database import is_postgresql

AGGREGATES = frozenset({"stock", "daily_sales", "customers"})
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

    @classmethod
    def capture(cls, engine: Engine) -> Template:
        template = cls(engine)
        metadata = MetaData()
        metadata.reflect(bind=engine)
        pg = is_postgresql(engine)
        with engine.begin() as conn:
            for table in metadata.sorted_tables:  # parents before children (foreign keys)
                if table.name in AGGREGATES:
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
            pending: list[tuple[Any, ...]] = []
            for number in range(first, first + count):
                suffix = f"{number:06x}"
                pending.extend(
                    tuple(v.replace(MARK, suffix) if isinstance(v, str) else v for v in row)
                    for row in table.rows
                )
                if len(pending) >= BATCH:
                    written += self._write(table, pending)
                    pending = []
            written += self._write(table, pending)
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

    def _write(self, table: TableTemplate, rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in table.columns)
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if is_postgresql(self.engine):
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in table.columns)
                cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)
                cursor.execute("COMMIT")
            raw.commit()
        finally:
            raw.close()
        return len(rows)
