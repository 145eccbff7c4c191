"""A rolling upgrade of checkout, from version 1 to version 2, while sagas run.

The platform starts with every new checkout on version 1 (``SAGA_START_VERSIONS``, the
rollout knob of docs/upgrading.md): big orders wait for review, others wait mid-step for a
shipping worker that is down, and an order allowing a partial reservation is refused
(version 1 reserves all or nothing). Then every process but the payment worker and its
relay is stopped, ``saga-migrate`` brings every store up to date, and the rest comes back
in check mode (a store behind would stop it) with version 2 as the start version, the
version 1 payment worker still running. The reviewers approve: every version 1 saga
finishes on version 1's steps, new orders run version 2 (screened for fraud, a partial
order charged and shipped for what was reserved, a fraud order compensated), no message
is parked anywhere, and stock, net charges and shipments add up.

What this does not show: the version 1 phase runs today's code with version 1 pinned,
not an older build (the stores are at the latest revision from the start, so the
migration is checked to run and find them current; tests/service/
test_a_store_from_aa775bd_upgrades_in_place.py upgrades a store built by older code).

A Redis server of its own; every wait has a deadline."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.redis_server import RedisServer
from devtools.scratch_databases import postgres_databases
from devtools.smtp_sink import SmtpSink
from tests.platform import (
    SERVICES,
    RunningPlatform,
    new_sku,
    order,
    serve,
    sqlite_databases,
    start,
    wait_for,
)

POSTGRES_ADMIN_URL = os.environ.get(
    "SAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# The payment worker of version 1 stays up through the upgrade, with its relay.
STAYS = ("payment", "relay-payment")
BIG_CENTS = 600_000  # above the tests' review threshold (5,000.00)
PRICE = 1250
V1_STEPS = ["reserve_inventory", "charge_payment", "create_shipment"]
V2_STEPS = ["reserve_inventory", "screen_fraud", "charge_payment", "create_shipment"]
# Step timeouts of 30 s, 60 s, 120 s: the sagas waiting for shipping must still be
# waiting, not given up on, when it comes back after the upgrade.
POLICY_SCALE = "3"
ENDED = 120.0


@pytest.fixture(params=["sqlite", "postgresql"])
def v1_platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningPlatform]:
    redis_server = RedisServer(tmp_path / "redis", durable=True)
    redis_server.start()
    sink = SmtpSink()
    sink.start()
    extra_env = {
        "SAGA_START_VERSIONS": "checkout@1",
        "SAGA_POLICY_SCALE": POLICY_SCALE,
        "REACTOR_EMAIL_SMTP_PORT": str(sink.port),
    }
    try:
        if request.param == "sqlite":
            yield from _running(redis_server.url, sqlite_databases(tmp_path), tmp_path, extra_env)
        else:
            prefix = f"saga_u{uuid.uuid4().hex[:8]}"
            with postgres_databases(POSTGRES_ADMIN_URL, prefix, SERVICES) as urls:
                yield from _running(redis_server.url, urls, tmp_path, extra_env)
    finally:
        sink.stop()
        redis_server.stop()


def _running(
    broker_url: str, urls: dict[str, str], directory: Path, extra_env: dict[str, str]
) -> Iterator[RunningPlatform]:
    yield from serve(
        start(
            "upgrade",
            database_urls=urls,
            broker_url=broker_url,
            log_dir=directory,
            extra_env=extra_env,
        )
    )


def saga_of(platform: RunningPlatform, order_id: str) -> dict[str, Any]:
    found: dict[str, Any] = platform.call("orchestrator.get_saga", order_id=order_id)
    return found


def upgrade(platform: RunningPlatform) -> None:
    """Stop all but the payment worker, migrate every store, start the rest on v2."""
    processes = platform.processes
    stopped = [name for name in processes.commands if name not in STAYS]
    for name in stopped:
        processes.stop_one(name)
    env = processes.env
    del env["SAGA_START_VERSIONS"]
    env["SAGA_MIGRATE"] = "check"
    migrate = Path(sys.executable).with_name("saga-migrate")
    done = subprocess.run(
        [str(migrate)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for service in ("orchestrator", "inventory", "fraud", "shipping"):
        assert service in done.stdout, done.stdout
    processes.start(stopped)
    processes.wait_until_ready(platform.broker_url, timeout=120)


def test_v1_sagas_finish_on_v1_while_new_orders_run_v2(v1_platform: RunningPlatform) -> None:
    platform = v1_platform
    plenty, scarce = new_sku(), new_sku()
    platform.set_stock(plenty, 100)
    platform.set_stock(scarce, 2)

    # version 1, in flight: two waiting for review, three waiting for shipping
    platform.processes.stop_one("shipping")
    reviewed = [order(sku=plenty, quantity=1, unit_price_cents=BIG_CENTS) for _ in range(2)]
    waiting = [order(sku=plenty, quantity=2, unit_price_cents=PRICE) for _ in range(3)]
    v1_ids = {}
    for placed in reviewed + waiting:
        v1_ids[placed["order_id"]] = platform.call("orchestrator.place_order", **placed)["saga_id"]
    with pytest.raises(ValueError, match="allow_partial: checkout version 1"):
        platform.call("orchestrator.place_order", **{**order(sku=scarce), "allow_partial": True})
    for placed in reviewed:
        wait_for(functools.partial(saga_of, platform, placed["order_id"]), _awaiting_review, 60)
    for placed in waiting:
        wait_for(functools.partial(saga_of, platform, placed["order_id"]), _at_shipping, 60)

    upgrade(platform)

    for placed in reviewed:
        platform.call(
            "orchestrator.approve_saga", saga_id=v1_ids[placed["order_id"]], by="a reviewer"
        )
    whole = order(sku=plenty, quantity=1, unit_price_cents=PRICE)
    partial = {**order(sku=scarce, quantity=3, unit_price_cents=PRICE), "allow_partial": True}
    fraud = order(sku=plenty, quantity=1, unit_price_cents=PRICE, token="tok_fraud")
    for placed in (whole, partial, fraud):
        platform.call("orchestrator.place_order", **placed)

    ended = {
        placed["order_id"]: platform.wait_for_saga(
            saga_of(platform, placed["order_id"])["saga_id"], ENDED
        )
        for placed in (*reviewed, *waiting, whole, partial, fraud)
    }
    for placed in (*reviewed, *waiting):
        saga = ended[placed["order_id"]]
        assert (saga["state"], saga["definition_version"]) == ("completed", 1), saga
        assert [step["name"] for step in saga["steps"]] == V1_STEPS
    for placed in (whole, partial):
        saga = ended[placed["order_id"]]
        assert (saga["state"], saga["definition_version"]) == ("completed", 2), saga
        assert [step["name"] for step in saga["steps"]] == V2_STEPS
    refused = ended[fraud["order_id"]]
    assert (refused["state"], refused["definition_version"]) == ("compensated", 2)
    assert refused["failure"]["code"] == "fraud_rejected"

    confirmed = platform.event_of(partial["order_id"], "OrderConfirmed")["payload"]
    assert [(i["sku"], i["quantity"]) for i in confirmed["items"]] == [(scarce, 2)]
    assert [(i["sku"], i["quantity"]) for i in confirmed["left_out"]] == [(scarce, 1)]
    assert confirmed["total_cents"] == 2 * PRICE and confirmed["carrier"]

    # invariants: net charges, shipments, stock, nothing parked
    charged = {
        **{o["order_id"]: BIG_CENTS for o in reviewed},
        **{o["order_id"]: 2 * PRICE for o in waiting},
        whole["order_id"]: PRICE,
        partial["order_id"]: 2 * PRICE,
        fraud["order_id"]: 0,
    }
    for order_id, net in charged.items():
        payments = platform.call("payment.get_payments", order_id=order_id)
        assert payments["net_charged_cents"] == net, (order_id, payments)
        shipments = platform.call("shipping.get_shipments", order_id=order_id)
        assert len(shipments) == (1 if net else 0), (order_id, shipments)
    sold_plenty = len(reviewed) + 2 * len(waiting) + 1
    assert platform.stock(plenty)["available"] == 100 - sold_plenty
    assert platform.stock(scarce)["available"] == 0
    for service in platform.api.services():
        parked = platform.api.dead_letters_of(service)
        assert parked.parked == 0, parked


def _awaiting_review(saga: dict[str, Any]) -> bool:
    return bool(saga["state"] == "awaiting_approval")


def _at_shipping(saga: dict[str, Any]) -> bool:
    return bool(saga["state"] == "running" and saga["current_step"] == "create_shipment")
