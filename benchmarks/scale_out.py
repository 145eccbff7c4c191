"""python -m benchmarks.scale_out [--orders N]: one process of every Procfile line against
two of each (workers, relays, reactors, the sweeper and the event dispatcher), on
PostgreSQL, in the same run: sagas/s to drain N orders submitted at once, and the ratio.

Each side gets a Redis server and PostgreSQL databases of its own, and a warm-up of 10
orders first. On a 2-core machine expect little gain: the point is knowing the cost
(docs/deployment.md#measured-one-against-two-of-each)."""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.settings import POSTGRES_ADMIN
from devtools.launcher import Platform, doubled, platform_env, read_procfile
from devtools.redis_server import RedisServer
from devtools.scratch_databases import postgres_databases
from devtools.smtp_sink import SmtpSink, free_port
from messaging.migrate import schemas
from messaging.settings import env_prefix
from saga_client import SagaPlatform, TaskClient, build_app

ROOT = Path(__file__).resolve().parent.parent
VIEWERS = ("flower", "metrics", "web")
WARMUP = 10
SKU = "SCALE-BOOK"


def an_order(number: int) -> dict[str, Any]:
    return {
        "order_id": f"scale-{uuid.uuid4().hex[:8]}-{number}",
        "customer": {"id": f"c-{number % 20}", "email": "ada@example.com", "name": "Ada"},
        "items": [{"sku": SKU, "quantity": 1, "unit_price_cents": 1250}],
        "currency": "EUR",
        "payment_token": "tok_visa",
        "shipping_address": {
            "name": "Ada",
            "line1": "1 Rue de Rivoli",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
    }


def drain(api: SagaPlatform, tasks: TaskClient, count: int, timeout: float) -> float:
    """Seconds from sending ``count`` orders at once to all of them ended."""
    before = sum(api.saga_counts("checkout").values())
    started = time.monotonic()
    sent = [tasks.send("orchestrator.place_order", an_order(i), write=True) for i in range(count)]
    for one in sent:
        tasks.wait(one)
    while True:
        counts = api.saga_counts("checkout")
        ended = sum(n for state, n in counts.items() if state in ("completed", "compensated"))
        if ended >= before + count:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{ended - before} of {count} ended after {timeout:.0f}s: {counts}")
        time.sleep(0.2)


def run(copies: int, orders: int, workdir: Path) -> float:
    """Sagas/s with ``copies`` (1 or 2) of every process."""
    redis_server = RedisServer(workdir / "redis")
    redis_server.start()
    sink = SmtpSink()
    sink.start()
    try:
        prefix = f"saga_b{uuid.uuid4().hex[:8]}"
        with postgres_databases(POSTGRES_ADMIN, prefix, list(schemas())) as urls:
            env = {f"{env_prefix(s)}_DATABASE_URL": url for s, url in urls.items()}
            env.update(
                SAGA_MIGRATE="auto",
                SAGA_BROKER_URL=redis_server.url,
                SAGA_LOG_FORMAT="json",
                SAGA_LOG_LEVEL="WARNING",
                REACTOR_EMAIL_SMTP_PORT=str(sink.port),
                SAGA_METRICS_PORT=str(free_port()),
            )
            procfile = read_procfile(ROOT / "Procfile")
            commands = {n: c for n, c in procfile.items() if n not in VIEWERS}
            if copies == 2:
                commands = doubled(commands)
            platform = Platform(commands, platform_env(env), workdir)
            platform.start()
            client = build_app(redis_server.url, redis_server.url)
            try:
                platform.wait_until_ready(redis_server.url, timeout=180)
                tasks = TaskClient(client, timeout=60.0)
                api = SagaPlatform(tasks)
                tasks.call("inventory.set_stock", {"sku": SKU, "quantity": 100_000}, write=True)
                drain(api, tasks, WARMUP, 120)
                return orders / drain(api, tasks, orders, 600)
            finally:
                platform.stop()
                client.close()
    finally:
        sink.stop()
        redis_server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=150)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        one = run(1, args.orders, Path(tmp) / "one")
        two = run(2, args.orders, Path(tmp) / "two")
    print(f"| processes of each | sagas/s ({args.orders} orders at once, PostgreSQL) |")
    print("|---|---|")
    print(f"| 1 | {one:.1f} |")
    print(f"| 2 | {two:.1f} ({two / one:.2f}x) |")


if __name__ == "__main__":
    main()
