"""python -m benchmarks.retention_run [--sagas N]: retention on PostgreSQL, through the
store layer (no broker, no workers: the platform shares its Redis with other sessions).

Two scratch databases with the orchestrator's tables: one empty, one seeded with N
finished sagas past their keep period (``INSERT ... SELECT generate_series``: each with
its history rows, an event-log row, published outbox rows and inbox rows). Then:
- the cost of a saga start (the first transition: admission, saga row, history, outbox
  rows, in one transaction, as the worker's ``start_saga`` does) on each, in alternating
  rounds in the same run, and their ratio;
- pg_total_relation_size of the store before the retention run, after it, and after a
  plain VACUUM (space reusable, not given back) and a VACUUM FULL (given back);
- the retention run itself: rows deleted per second, batches of SAGA_RETENTION_BATCH;
- the start cost again on the store retention emptied.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from benchmarks.settings import POSTGRES_ADMIN
from devtools.scratch_databases import postgres_databases
from messaging.database import build_engine, create_schema
from messaging.outbox import add
from messaging.retention import run as run_shared
from messaging.retention import shared_targets
from messaging.retention_policy import RetentionSettings
from messaging.tables import metadata as platform_tables
from orchestrator import retention
from orchestrator.event_tables import metadata as event_tables
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions
from orchestrator.saga_store.tables import metadata as saga_tables
from orchestrator.worker import validate_input

TABLES = ("sagas", "saga_history", "event_log", "outbox", "inbox")

SEED = {
    "sagas": """
        INSERT INTO sagas (saga_id, definition, definition_version, business_key,
            correlation_id, status, current_step, steps, data, attempt, querying, version,
            created_at, updated_at)
        SELECT 'seed-' || n, 'checkout', 1, 'seed-order-' || n, 'seed-order-' || n,
            CASE WHEN n % 10 = 0 THEN 'compensated' ELSE 'completed' END, NULL,
            '{"reserve_inventory": "done", "charge_payment": "done",
              "create_shipment": "done"}'::json,
            json_build_object('order_id', 'seed-order-' || n, 'total_cents', 2500),
            0, false, 7, now() - interval '61 days', now() - interval '60 days'
        FROM generate_series(1, CAST(:n AS bigint)) AS n""",
    "saga_history": """
        INSERT INTO saga_history (saga_id, at, version, kind, step, message_id,
            message_type, detail)
        SELECT 'seed-' || ((n - 1) / CAST(:h AS bigint) + 1), now() - interval '60 days',
            (n - 1) % CAST(:h AS bigint) + 1,
            'transition', 'reserve_inventory', md5(n::text), 'InventoryReserved',
            '{"from": "running", "to": "running"}'::json
        FROM generate_series(1, CAST(:n AS bigint) * CAST(:h AS bigint)) AS n""",
    "event_log": """
        INSERT INTO event_log (event_id, event_type, saga_id, body, created_at)
        SELECT md5('e' || n), 'OrderConfirmed', 'seed-' || n,
            json_build_object('type', 'OrderConfirmed', 'order_id', 'seed-order-' || n),
            now() - interval '60 days'
        FROM generate_series(1, CAST(:n AS bigint)) AS n""",
    "outbox": """
        INSERT INTO outbox (message_id, message_type, task_name, queue, body, created_at,
            published_at, attempts)
        SELECT md5('o' || n), 'ReserveInventory', 'inventory.handle_message', 'inventory',
            json_build_object('message_id', md5('o' || n)), now() - interval '60 days',
            now() - interval '60 days', 0
        FROM generate_series(1, CAST(:n AS bigint) * CAST(:m AS bigint)) AS n""",
    "inbox": """
        INSERT INTO inbox (message_id, message_type, received_at, response)
        SELECT md5('i' || n), 'InventoryReserved', now() - interval '60 days', NULL
        FROM generate_series(1, CAST(:n AS bigint) * CAST(:m AS bigint)) AS n""",
}


def order() -> dict[str, Any]:
    return {
        "order_id": f"ord-{uuid.uuid4().hex[:12]}",
        "customer": {"id": "cust-1", "email": "ada@example.com", "name": "Ada Lovelace"},
        "items": [{"sku": "MUG", "quantity": 1, "unit_price_cents": 1250}],
        "currency": "EUR",
        "payment_token": "tok_visa",
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 St James's Square",
            "city": "London",
            "postal_code": "SW1Y 4JH",
            "country": "FR",
        },
    }


def starter(engine: Engine) -> Callable[[], float]:
    """One saga start through the store layer; its seconds."""
    saga = definitions()["checkout"]

    def once() -> float:
        submitted = validate_input(saga, order(), "order")
        began = time.perf_counter()
        with engine.begin() as conn:
            started = actions.start(conn, saga, submitted, "bench", {})
            add(conn, started.outgoing)
        return time.perf_counter() - began

    return once


def seed(engine: Engine, sagas: int, history: int, messages: int) -> dict[str, float]:
    took = {}
    for table, statement in SEED.items():
        began = time.monotonic()
        with engine.begin() as conn:
            conn.execute(text(statement), {"n": sagas, "h": history, "m": messages})
        took[table] = round(time.monotonic() - began, 1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return took


def size(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(
            int(conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one())
            for t in TABLES
        )


def vacuum(url: str, full: bool) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM FULL ANALYZE" if full else "VACUUM ANALYZE")


def rounds(starts: dict[str, Callable[[], float]], count: int) -> dict[str, dict[str, float]]:
    """``count`` starts on each store, alternating in rounds of 50 (the same run)."""
    seconds: dict[str, list[float]] = {name: [] for name in starts}
    for _ in range(max(1, count // 50)):
        for name, once in starts.items():
            seconds[name].extend(once() for _ in range(50))
    return {
        name: {
            "p50_ms": round(statistics.median(s) * 1000, 3),
            "mean_ms": round(statistics.fmean(s) * 1000, 3),
            "p99_ms": round(sorted(s)[int(len(s) * 0.99) - 1] * 1000, 3),
        }
        for name, s in seconds.items()
    }


def measure(sagas: int, history: int, messages: int, starts: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sagas": sagas, "history_per_saga": history, "messages": messages}
    prefix = f"bench_retention_{uuid.uuid4().hex[:6]}"
    with postgres_databases(POSTGRES_ADMIN, prefix, ("empty", "seeded")) as urls:
        engines = {name: build_engine(url) for name, url in urls.items()}
        try:
            for engine in engines.values():
                create_schema(engine, platform_tables, saga_tables, event_tables)
            out["seeding_seconds"] = seed(engines["seeded"], sagas, history, messages)
            starts_of = {name: starter(engine) for name, engine in engines.items()}
            rounds(starts_of, 100)  # warm-up: connections, plans, caches
            out["start_before"] = rounds(starts_of, starts)
            out["bytes_before"] = size(engines["seeded"])
            settings = RetentionSettings.from_env()
            began = time.monotonic()
            own = retention.run(engines["seeded"], settings)
            shared = run_shared(engines["seeded"], shared_targets(settings), settings)
            out["retention_seconds"] = round(time.monotonic() - began, 1)
            out["deleted"] = {**own.deleted, **shared.deleted}
            out["bytes_after_retention"] = size(engines["seeded"])
            vacuum(urls["seeded"], full=False)
            out["bytes_after_vacuum"] = size(engines["seeded"])
            out["start_after"] = rounds(starts_of, starts)
            vacuum(urls["seeded"], full=True)
            out["bytes_after_vacuum_full"] = size(engines["seeded"])
            out["bytes_empty"] = size(engines["empty"])
        finally:
            for engine in engines.values():
                engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retention_run", description=__doc__)
    parser.add_argument("--sagas", type=int, default=1_000_000, help="finished sagas seeded")
    parser.add_argument("--history", type=int, default=8, help="history rows per saga")
    parser.add_argument("--messages", type=int, default=3, help="outbox and inbox rows per saga")
    parser.add_argument("--starts", type=int, default=1000, help="starts measured per store")
    args = parser.parse_args(argv)
    figures = measure(args.sagas, args.history, args.messages, args.starts)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
