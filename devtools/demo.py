"""The platform's main job, end to end: start every worker and relay from the Procfile,
seed stock, submit sample orders down every path (devtools/demo_scenarios.py), print each
outcome with its timeline and the participants' own records, return lines of them through
the returns saga, show what the reactors made of it all, then stop what it started.

    saga-demo            # exit code 0 when every order ended as expected

It runs on the Redis that answers at SAGA_BROKER_URL (unset: redis://127.0.0.1:6379/0).
When none answers at the default URL and redis-server is installed, it starts a throwaway
one of its own and stops it at the end (devtools/demo_broker.py); a SAGA_BROKER_URL that
does not answer stops the demo with its name.

It talks to the platform as any user process does: tasks by name through saga_client.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from console.timeline import format_timeline
from devtools.demo_broker import BrokerUnavailable, demo_broker
from devtools.demo_reactors import show_reactor_effects, show_return_effects
from devtools.demo_scenarios import (
    RETURN_SCENARIOS,
    SCENARIOS,
    STOCK,
    order_for,
    return_input,
)
from devtools.launcher import Platform, platform_env, read_procfile
from devtools.smtp_sink import SmtpSink, free_port
from messaging.contracts.money import format_money
from messaging.contracts.read_models import SagaView
from messaging.settings import DEFAULT_BROKER_URL
from saga_client import RemoteError, SagaPlatform, TaskClient, build_app

RULE = "=" * 78
# How long one saga may take to end, and a reviewer to find its order waiting.
SAGA_WAIT = 60.0
REVIEW_WAIT = 30.0


def outcome(saga: SagaView, expected: str, expected_code: str | None) -> tuple[bool, str]:
    """Whether a saga ended as its scenario says, and that said in words."""
    code = (saga.failure or {}).get("code")
    ok = saga.state == expected and code == expected_code
    because = f" because {code}" if code else ""
    return ok, f"{saga.state}{because} (expected {expected}) {'OK' if ok else 'UNEXPECTED'}"


def review(platform: SagaPlatform, saga_id: str, decision: str) -> None:
    """Play the reviewer: wait for the order to reach review, then decide."""
    deadline = time.monotonic() + REVIEW_WAIT
    while platform.get_saga(saga_id=saga_id).state != "awaiting_approval":
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)
    if decision == "approve":
        platform.operate("approve", saga_id, by="the demo's reviewer")
    else:
        platform.operate("reject", saga_id, reason="the demo's reviewer said no")


def run_scenarios(platform: SagaPlatform, run: str) -> tuple[list[bool], list[dict[str, Any]]]:
    call = platform.tasks.call
    for sku, quantity in STOCK.items():
        call("inventory.set_stock", {"sku": sku, "quantity": quantity}, write=True)
    print("Stock seeded: " + ", ".join(f"{sku}={qty}" for sku, qty in STOCK.items()))
    placed = []
    for number, scenario in enumerate(SCENARIOS, 1):
        order = order_for(scenario, run, number)
        placed.append((scenario, order, platform.place_order(order)))
    again = platform.place_order(placed[0][1])
    print(
        f"Submitting {placed[0][1]['order_id']} again: same saga {again.saga_id}, "
        f"duplicate={again.duplicate}"
    )
    try:
        platform.place_order({**placed[0][1], "order_id": "bad order!"})
    except RemoteError as exc:
        print(f"An invalid order is refused: {exc}")

    for scenario, _order, started in placed:
        if scenario.review:
            review(platform, started.saga_id, scenario.review)
    verdicts = []
    for scenario, order, started in placed:
        saga = platform.wait_until_ended(started.saga_id, SAGA_WAIT)
        ok, said = outcome(saga, scenario.expected, scenario.expected_code)
        verdicts.append(ok)
        label = f"{saga.definition}@{saga.definition_version}"
        print(f"\n{RULE}\n{scenario.title}\norder {order['order_id']} ({label}): {said}")
        print(format_timeline(saga))
        payments = call("payment.get_payments", {"order_id": order["order_id"]})
        shipments = call("shipping.get_shipments", {"order_id": order["order_id"]})
        print(
            f"  payment: net charged {format_money(payments['net_charged_cents'], 'EUR')} "
            f"over {len(payments['payments'])} payment(s); shipments: "
            + (", ".join(f"{s['tracking_number']} ({s['carrier']})" for s in shipments) or "none")
        )
        if saga.data.get("missing"):
            left = ", ".join(f"{line['quantity']} x {line['sku']}" for line in saga.data["missing"])
            print(f"  left out (not in stock, not charged, not shipped): {left}")
    print("\n" + RULE)
    for sku, seeded in STOCK.items():
        stock = call("inventory.get_stock", {"sku": sku})
        print(
            f"Stock {sku}: seeded {seeded}, available {stock['available']}, "
            f"held by reservations {stock['reserved']}"
        )
    return verdicts, [order for _scenario, order, _started in placed]


def run_returns(
    platform: SagaPlatform, run: str, orders: list[dict[str, Any]]
) -> tuple[list[bool], list[str]]:
    """Return lines of finished orders through the returns saga; print each outcome, its
    timeline, its diagram with its position, and the participants' records of it. Gives
    the verdicts and the order ids whose return ran (was not refused)."""
    print(f"\n{RULE}\nReturns: a second saga, started with orchestrator.start_saga")
    call = platform.tasks.call
    verdicts, ran = [], []
    for number, scenario in enumerate(RETURN_SCENARIOS, 1):
        order_id = orders[scenario.order]["order_id"]
        given = return_input(scenario, run, number, order_id)
        print(f"\n{RULE}\n{scenario.title}")
        try:
            started = platform.start_saga("returns", given)
        except RemoteError as exc:
            ok = scenario.expected == "refused"
            print(f"return {given['return_id']}: refused: {exc} {'OK' if ok else 'UNEXPECTED'}")
            verdicts.append(ok)
            continue
        saga = platform.wait_until_ended(started.saga_id, SAGA_WAIT)
        ok, said = outcome(saga, scenario.expected, scenario.expected_code)
        verdicts.append(ok)
        print(f"return {given['return_id']} of order {order_id}: {said}")
        print(format_timeline(saga))
        steps = {step.name: step.status for step in saga.steps}
        chart = platform.describe_definition(
            platform.send_describe_definition("returns", saga.state, steps)
        )
        print("  its diagram, generated from the definition (where it ended is marked):")
        for line in chart.mermaid.splitlines():
            print(f"    {line}")
        refunds = call("payment.get_refunds", {"order_id": order_id})
        labels = call("shipping.get_return_labels", {"order_id": order_id})
        print(
            "  payment refunds: "
            + (", ".join(format_money(r["amount_cents"], r["currency"]) for r in refunds) or "none")
            + "; return labels: "
            + (", ".join(f"{lb['tracking_number']} {lb['status']}" for lb in labels) or "none")
        )
        ran.append(order_id)
    return verdicts, ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="saga-demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--procfile", type=Path, default=Path(__file__).parent.parent / "Procfile")
    args = parser.parse_args(argv)
    run = uuid.uuid4().hex[:6]
    workdir = Path(tempfile.mkdtemp(prefix=f"saga-demo-{run}-"))
    try:
        with demo_broker(os.environ, workdir) as broker:
            if broker.started:
                print(
                    f"No Redis answers at {DEFAULT_BROKER_URL}: started a throwaway redis-server"
                    f" at {broker.url} (no persistence, files in {workdir / 'redis'})"
                )
            try:
                code = run_demo(args.procfile, broker.url, run, workdir)
            finally:
                if broker.started:
                    print(f"Stopping the throwaway redis-server at {broker.url}.")
    except BrokerUnavailable as exc:
        shutil.rmtree(workdir, ignore_errors=True)  # nothing was started in it
        sys.exit(str(exc))
    return code


def run_demo(procfile: Path, broker: str, run: str, workdir: Path) -> int:
    """Start the Procfile's processes on ``broker``, run every scenario, stop them."""
    sink = SmtpSink()
    sink.start()
    env = platform_env(
        {
            "SAGA_BROKER_URL": broker,
            "SAGA_RESULT_BACKEND": broker,  # the demo's own client reads results there
            "SAGA_DATA_DIR": str(workdir / "data"),
            "REACTOR_EMAIL_SMTP_PORT": str(sink.port),
            "FLOWER_PORT": os.environ.get("FLOWER_PORT", str(free_port())),
            "SAGA_METRICS_PORT": os.environ.get("SAGA_METRICS_PORT", str(free_port())),
            "SAGA_WEB_PORT": os.environ.get("SAGA_WEB_PORT", str(free_port())),
        }
    )
    platform = Platform(read_procfile(procfile), env, workdir)
    print(f"Starting {len(platform.commands)} processes (logs and SQLite stores in {workdir})")
    platform.start()
    app = build_app(broker, broker)
    client = SagaPlatform(TaskClient(app, timeout=30))
    try:
        platform.wait_until_ready(broker, timeout=90)
        print("Workers ready: " + ", ".join(platform.nodes()))
        print(
            f"Flower: http://127.0.0.1:{env['FLOWER_PORT']} (login: FLOWER_BASIC_AUTH, admin:admin)"
        )
        print(
            f"Saga web view: http://127.0.0.1:{env['SAGA_WEB_PORT']}"
            " (login: SAGA_WEB_BASIC_AUTH, admin:admin)"
        )
        verdicts, orders = run_scenarios(client, run)
        reactors_ok = show_reactor_effects(client, sink, orders)
        returns, ran = run_returns(client, run, orders)
        returns_delivered = show_return_effects(client, sink, ran)
    finally:
        platform.stop()
        app.close()
        sink.stop()
        print("Stopped every process of the platform.")
    print(
        f"{sum(verdicts)} of {len(verdicts)} orders ended as expected; "
        f"{sum(returns)} of {len(returns)} returns ended as expected; reactor effects "
        + ("complete." if reactors_ok and returns_delivered else "INCOMPLETE.")
    )
    return 0 if all(verdicts) and reactors_ok and all(returns) and returns_delivered else 1


if __name__ == "__main__":
    raise SystemExit(main())
