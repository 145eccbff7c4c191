"""The CPU of our own layer per message, without Celery, kombu or a broker: one payment
``ChargePayment`` through ``messaging.consumer.consume`` as the payment worker runs it
(decode and validate, inbox, the participant's rules on its store, the reply in the
outbox, the publish handed to a publisher that keeps it, the row marked published), JSON
logs at INFO written to a file, on SQLite and on PostgreSQL.

Set beside the payment worker's CPU per delivery at saturation (``python -m benchmarks``),
what is left of the worker's figure is the Celery delivery around it: receiving,
acknowledging, publishing, and their Redis round trips.

    python -m benchmarks.handler_cost [--commands N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine

from benchmarks.stores import databases
from messaging.consumer import PARTICIPANT, Inbound, consume
from messaging.contracts import Envelope
from messaging.contracts.payment import ChargePayment
from messaging.database import build_engine, create_schema
from messaging.logs import configure_logging
from messaging.outbox import PendingRow
from messaging.tables import metadata as platform_tables
from participants.payment import bootstrap
from participants.payment import store as payment_store

WARMUP = 100


@dataclass
class Kept:
    rows: list[PendingRow] = field(default_factory=list)

    def publish(self, row: PendingRow) -> None:
        self.rows.append(row)


@dataclass(frozen=True)
class Store:
    service: str
    engine: Engine
    publisher: Kept
    marks: None = None  # marked at once, in a transaction per command (a worker batches)


class Task:
    """Stands in for the bound task: first attempt, no retry expected."""

    name = "payment.handle_message"
    request = SimpleNamespace(id=None, retries=0)

    def retry(self, **_: Any) -> Exception:
        return RuntimeError("a command was retried: the figure would be wrong")


def commands(count: int) -> list[dict[str, Any]]:
    return [
        Envelope.wrap(
            ChargePayment(
                order_id=f"hc-{i}", amount_cents=1250, currency="EUR", payment_token="tok_visa"
            ),
            saga_id=f"saga-{i}",
            correlation_id=f"hc-{i}",
            reply_to="orchestrator",
        ).to_json_dict()
        for i in range(count)
    ]


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """JSON lines at INFO, as a worker writes them, into a file instead of stderr."""
    configure_logging("payment", "json", "INFO")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    with path.open("a") as stream:
        previous = handler.setStream(stream)
        try:
            yield
        finally:
            handler.setStream(previous)


def measure(url: str, count: int, log_file: Path) -> dict[str, Any]:
    engine = build_engine(url)
    try:
        create_schema(engine, platform_tables, payment_store.metadata)
        store = Store("payment", engine, Kept())
        bodies = commands(WARMUP + count)
        task = Task()
        with logs_to(log_file):
            inbound = Inbound(store, bootstrap.registry({}), PARTICIPANT)
            for body in bodies[:WARMUP]:
                consume(inbound, task, body)
            wall, cpu = time.perf_counter(), time.process_time()
            for body in bodies[WARMUP:]:
                consume(inbound, task, body)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if len(store.publisher.rows) != len(bodies):
            raise RuntimeError(f"{len(store.publisher.rows)} replies for {len(bodies)} commands")
    finally:
        engine.dispose()
    return {"commands": count, "cpu_ms": cpu / count * 1000, "wall_ms": wall / count * 1000}


def run(kinds: tuple[str, ...], count: int, workdir: Path) -> dict[str, Any]:
    results = {}
    for kind in kinds:
        with databases(kind, "handler", ["payment"], workdir / kind) as urls:
            results[kind] = measure(urls["payment"], count, workdir / f"{kind}.log")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.handler_cost", description=__doc__)
    parser.add_argument("--commands", type=int, default=1500)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="handler-cost-"))
    for kind, figures in run(("sqlite", "postgresql"), args.commands, workdir).items():
        print(
            f"{kind}: {figures['cpu_ms']:.3f} ms CPU, {figures['wall_ms']:.3f} ms wall per"
            f" command ({figures['commands']} commands)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
