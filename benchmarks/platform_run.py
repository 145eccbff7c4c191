"""The real platform for a benchmark: the Procfile's processes (less Flower and web) on
Redis database 9, with SQLite files or PostgreSQL databases of their own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy import Engine

from benchmarks.settings import EXCLUDED_PROCESSES, PLATFORM_BROKER
from benchmarks.stores import reader_engine
from benchmarks.workers import flush
from devtools.launcher import Platform, platform_env, read_procfile
from devtools.smtp_sink import SmtpSink, free_port
from messaging.database import build_engine
from messaging.migrate import SERVICES as STORES
from messaging.reactors import discover
from messaging.settings import env_prefix
from saga_client import TaskClient, build_app

ROOT = Path(__file__).resolve().parent.parent
SKUS = ("BENCH-BOOK", "BENCH-MUG", "BENCH-PEN")


def services() -> list[str]:
    """Every service with a store: the orchestrator and the participants as saga-migrate
    knows them (fraud included), and the installed reactors."""
    return [*STORES, *(r.service for r in discover(strict=False).values())]


def tree_env(tree: str | None) -> dict[str, str]:
    """The environment that runs the platform's processes from another source tree (a
    ``git worktree`` of an older commit: before/after figures in one sitting), put first
    on their PYTHONPATH (and ``PlatformRun`` starts them in it: Celery puts the working
    directory before PYTHONPATH); the harness stays this tree's. None: this tree."""
    if tree is None:
        return {}
    root = Path(tree).resolve()
    if not (root / "messaging").is_dir() or not (root / "orchestrator").is_dir():
        raise SystemExit(f"{tree}: not a source tree of this project")
    return {"PYTHONPATH": str(root)}


def benchmarked_commands() -> dict[str, str]:
    """The Procfile as it is now, less the processes that are not the platform's work."""
    commands = read_procfile(ROOT / "Procfile")
    return {
        name: command
        for name, command in commands.items()
        if name not in EXCLUDED_PROCESSES and "flower" not in command.split()
    }


def order(order_id: str, number: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer": {"id": f"cust-{number % 50}", "email": "ada@example.com", "name": "Ada"},
        "items": [{"sku": SKUS[number % len(SKUS)], "quantity": 1, "unit_price_cents": 1250}],
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


class Sink(SmtpSink):
    def received(self) -> list[tuple[str, str]]:
        """(order id, Message-ID) of every email received, in one pass (messages_for
        parses every message's headers once per call: minutes for a thousand orders)."""
        with self._keep.lock:
            return [(str(m["X-Order-Id"]), str(m["Message-ID"])) for m in self._keep.messages]


@dataclass
class PlatformRun:
    kind: str
    urls: dict[str, str]
    workdir: Path
    # set for every process over the defaults below (benchmarks/levers.py compares settings)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: Platform = field(init=False)
    client: Celery = field(init=False)
    tasks: TaskClient = field(init=False)
    engines: dict[str, Engine] = field(init=False)
    sink: Sink = field(init=False)
    ids: dict[str, list[str]] = field(default_factory=dict)  # order ids of each label

    def start(self) -> None:
        flush(PLATFORM_BROKER)
        self.sink = Sink()
        self.sink.start()
        env = {f"{env_prefix(s)}_DATABASE_URL": url for s, url in self.urls.items()}
        env.update(
            SAGA_BROKER_URL=PLATFORM_BROKER,
            SAGA_DATA_DIR=str(self.workdir / "data"),
            SAGA_MIGRATE="auto",  # fresh scratch stores: each process brings its own up to date
            SAGA_LOG_FORMAT="json",
            REACTOR_EMAIL_SMTP_PORT=str(self.sink.port),
            FLOWER_PORT=str(free_port()),
            SAGA_METRICS_PORT=str(free_port()),
            SAGA_RELAY_INTERVAL="0.5",  # the documented defaults, set so they show here
            SAGA_RELAY_GRACE="2.0",
            SAGA_REVIEW_THRESHOLD_CENTS="100000",  # our orders are 12.50: none is reviewed
        )
        env.update(self.extra_env)
        tree = self.extra_env.get("PYTHONPATH")  # tree_env: run in that tree, as it imports
        self.processes = Platform(
            benchmarked_commands(),
            platform_env(env),
            self.workdir,
            cwd=Path(tree) if tree else None,
        )
        self.processes.start()
        self.client = build_app(PLATFORM_BROKER, PLATFORM_BROKER)
        self.tasks = TaskClient(self.client, timeout=60)
        try:
            self.processes.wait_until_ready(PLATFORM_BROKER, timeout=120)
        except BaseException:
            self.stop()
            raise
        # Reads only (a SQLite reader in WAL mode takes no lock); seeding writes with its own.
        self.engines = {s: reader_engine(url) for s, url in self.urls.items()}
        for sku in SKUS:
            self.call("inventory.set_stock", sku=sku, quantity=1_000_000_000)

    def call(self, task: str, **kwargs: Any) -> Any:
        return self.tasks.call(task, kwargs, write=True)

    def submit(self, order_id: str, number: int) -> None:
        self.tasks.send("orchestrator.place_order", order(order_id, number), write=True)

    def new_ids(self, label: str, count: int) -> list[str]:
        self.ids[label] = [f"bench-{label}-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        return self.ids[label]

    def writer(self, service: str) -> Engine:
        return build_engine(self.urls[service])

    @property
    def reactors(self) -> list[str]:
        return [s for s in self.urls if s.startswith("reactor.")]

    def stop(self) -> None:
        self.processes.stop()
        self.client.close()
        for engine in getattr(self, "engines", {}).values():
            engine.dispose()
        self.sink.stop()
