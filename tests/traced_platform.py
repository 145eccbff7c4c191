"""Every service of the platform in one process, traced into an in-memory exporter.

    python -m tests.traced_platform BROKER_URL DATA_DIR SMTP_PORT > spans.json

Real workers (Celery's embedded worker, one thread per service) on the real broker, SQLite
files of their own. It runs one checkout to the end, waits for the reactors, then has the
relay send one of that saga's commands again from outside any span (as after a crash
between commit and publish), and prints every finished span as JSON. A separate process,
so that OpenTelemetry's global provider and the instrumented signals never leak into
other tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

REACTORS = ("email", "analytics", "crm")
SERVICES = ("orchestrator", "inventory", "fraud", "payment", "shipping")


def main(broker_url: str, data_dir: Path, smtp_port: int) -> list[dict[str, Any]]:
    os.environ.update(
        SAGA_BROKER_URL=broker_url,
        SAGA_DATA_DIR=str(data_dir),
        REACTOR_EMAIL_SMTP_PORT=str(smtp_port),
        SAGA_LOG_LEVEL="WARNING",
    )
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from sqlalchemy import func, select, update

    from messaging.logs import configure_logging
    from messaging.outbox import relay_pending
    from messaging.reactor_worker import build_app
    from messaging.reactors import discover
    from messaging.tables import outbox
    from messaging.tracing import enable_tracing
    from orchestrator import events_worker
    from orchestrator.worker import app as orchestrator
    from participants.fraud.worker import app as fraud
    from participants.inventory.worker import app as inventory
    from participants.payment.worker import app as payment
    from participants.shipping.worker import app as shipping
    from tests.platform import new_sku, order

    configure_logging("checkout-platform", "json", "WARNING")  # stderr: stdout is the spans
    exporter = InMemorySpanExporter()
    enable_tracing("checkout-platform", exporter, batch=False)
    declared = discover()
    reactors = [build_app(declared[n]) for n in REACTORS]
    apps = [orchestrator, inventory, fraud, payment, shipping, events_worker.app, *reactors]
    client = Celery(broker=broker_url, backend=broker_url, set_as_current=False)
    client.conf.update(accept_content=["json"], result_accept_content=["json"])
    workers = contextlib.ExitStack()  # never closed: __main__ leaves with os._exit
    for app in apps:
        workers.enter_context(
            # use_eventloop=False: kombu's event loop is one per process, so side-by-side
            # workers would share and close it; the synchronous loop keeps them apart
            start_worker(
                app,
                pool="solo",
                queues=[app.queue],
                perform_ping_check=False,
                use_eventloop=False,
            )
        )
    # the embedded worker sends no worker_ready: subscribe and dispatch as the events worker
    # does once it is ready
    events_worker.register_plugins()
    threading.Thread(target=events_worker.run, args=(threading.Event(),), daemon=True).start()
    sku = new_sku()
    client.send_task(
        "inventory.set_stock", kwargs={"sku": sku, "quantity": 5}, queue="inventory"
    ).get(timeout=20)
    placed = client.send_task(
        "orchestrator.place_order", kwargs=order(sku=sku), queue="orchestrator"
    ).get(timeout=20)
    saga_id = placed["saga_id"]
    # each reactor's handling of its copy (not the dispatcher's checks, also "reactor.*")
    handled = [f"reactor.{name}.handle_message" for name in REACTORS]
    _wait(lambda: all(_runs(exporter, task) for task in handled), "every reactor's copy")

    def all_marked() -> bool:  # each worker marks what it published a few times a second
        with orchestrator.engine.begin() as conn:
            unmarked = select(func.count()).where(outbox.c.published_at.is_(None))
            return conn.execute(unmarked).scalar_one() == 0

    _wait(all_marked, "every published row marked")
    with orchestrator.engine.begin() as conn:  # a command a crash left unpublished
        command = conn.execute(
            select(outbox.c.message_id).where(outbox.c.message_type == "ReserveInventory")
        ).scalar_one()
        conn.execute(update(outbox).where(outbox.c.message_id == command).values(published_at=None))
    before = len(_runs(exporter, "orchestrator.handle_message"))
    assert relay_pending(orchestrator.engine, orchestrator.publisher, older_than=0) == 1
    # inventory answers the duplicate with its stored reply; the orchestrator records it
    _wait(lambda: len(_runs(exporter, "orchestrator.handle_message")) > before, "resend")
    client.close()
    return [
        {
            "saga_id": saga_id,
            "resent_message_id": command,
            "name": span.name,
            "trace_id": format(span.context.trace_id, "032x"),
            "span_id": format(span.context.span_id, "016x"),
            "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
            "task_name": (span.attributes or {}).get("celery.task_name"),
            "task_id": (span.attributes or {}).get("messaging.message.id"),
            "kind": span.kind.name,
        }
        for span in exporter.get_finished_spans()
    ]


def _runs(exporter: Any, prefix: str) -> list[Any]:
    return [s for s in exporter.get_finished_spans() if s.name.startswith(f"run/{prefix}")]


def _wait(done: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.05)


if __name__ == "__main__":
    spans = main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
    json.dump(spans, sys.stdout)
    sys.stdout.flush()
    # The embedded workers' threads do not stop cleanly side by side; nothing is left to
    # save (each task committed before its span ended), so leave without joining them.
    os._exit(0)
