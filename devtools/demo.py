"""The platform's main job, end to end: start every worker and relay from the Procfile,
seed stock, submit sample orders down every path, print each outcome with its timeline
and the participants' own records, then stop what it started.

    saga-demo            # exit code 0 when every order ended as expected
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from celery import Celery

from console.cli.reactor_commands import format_subscriptions
from console.timeline import format_timeline
from devtools.launcher import Platform, platform_env, read_procfile
from devtools.smtp_sink import SmtpSink, free_port
from messaging.contracts.saga_status import TERMINAL_STATUSES
from messaging.settings import DEFAULT_BROKER_URL
from messaging.subscriptions import LIST

STOCK = {"BOOK-42": 20, "MUG-7": 5}
CUSTOMER_ID = f"cust-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Scenario:
    title: str
    expected: str
    expected_code: str | None = None  # the failure code that must explain the outcome
    token: str = "tok_visa"
    country: str = "FR"
    items: tuple[tuple[str, int, int], ...] = (("BOOK-42", 2, 1999), ("MUG-7", 1, 850))
    review: str | None = None  # "approve" or "reject": a reviewer's decision on a big order


BIG = (("BOOK-42", 1, 250_000),)  # above SAGA_REVIEW_THRESHOLD_CENTS (1,000.00 by default)

REFUNDS_REFUSED_CARD = Scenario(
    "A card whose refunds the network refuses: completed (its return is refused below)",
    "completed",
    token="tok_refund_fails",
    items=(("MUG-7", 1, 850),),
)

SCENARIOS = (
    Scenario("Happy path: reserve, charge, ship, confirm", "completed"),
    Scenario(
        "Card network timeout: outcome unknown, asked until known, charged once",
        "completed",
        token="tok_timeout",
        items=(("BOOK-42", 1, 1999),),
    ),
    Scenario(
        "Big order, reviewer approves: then charged", "completed", items=BIG, review="approve"
    ),
    Scenario(
        "Big order, reviewer rejects: stock released",
        "compensated",
        "rejected",
        items=BIG,
        review="reject",
    ),
    Scenario(
        "Out of stock: nothing charged", "compensated", "out_of_stock", items=(("MUG-7", 50, 850),)
    ),
    Scenario("Declined card: stock released", "compensated", "card_declined", token="tok_declined"),
    Scenario(
        "Refused destination: refund, then release",
        "compensated",
        "destination_refused",
        country="ZZ",
    ),
    REFUNDS_REFUSED_CARD,
    Scenario(
        "Refund refused by the card network: failed, needs an operator",
        "failed",
        "destination_refused",
        token="tok_refund_fails",
        country="ZZ",
        items=(("BOOK-42", 1, 1999),),
    ),
)


@dataclass(frozen=True)
class ReturnScenario:
    title: str
    order: int  # which scenario's order is returned (index in SCENARIOS)
    lines: tuple[tuple[str, int], ...]
    expected: str  # completed, compensated, or "refused": nothing starts
    expected_code: str | None = None


# the email reactor's kinds of email for a return's outcome (reactor.email.sent_emails)
RETURN_EMAILS = frozenset({"return_refund", "return_rejected"})

RETURN_SCENARIOS = (  # the orders of SCENARIOS they return, by index
    ReturnScenario(
        "Partial return: label and refund together, then restock", 0, (("BOOK-42", 1),), "completed"
    ),
    ReturnScenario(
        "The same book again, and one more than was bought: refused, nothing starts",
        0,
        (("BOOK-42", 2),),
        "refused",
    ),
    ReturnScenario(
        "Refund refused by the card network: the label is voided",
        SCENARIOS.index(REFUNDS_REFUSED_CARD),
        (("MUG-7", 1),),
        "compensated",
        "processor_error",
    ),
)


def order_for(scenario: Scenario, run: str, number: int) -> dict[str, Any]:
    return {
        "order_id": f"demo-{run}-{number}",
        "customer": {"id": CUSTOMER_ID, "email": "grace@example.com", "name": "Grace Hopper"},
        "items": [
            {"sku": sku, "quantity": qty, "unit_price_cents": price}
            for sku, qty, price in scenario.items
        ],
        "currency": "EUR",
        "payment_token": scenario.token,
        "shipping_address": {
            "name": "Grace Hopper",
            "line1": "1 Navy Yard",
            "city": "Arlington",
            "postal_code": "22202",
            "country": scenario.country,
        },
    }


class Client:
    """What any user process does: send_task by name, no import of the services."""

    def __init__(self, broker_url: str) -> None:
        self.app = Celery(broker=broker_url, backend=broker_url, set_as_current=False)
        self.app.conf.update(accept_content=["json"], result_accept_content=["json"])

    def call(self, task: str, **kwargs: Any) -> Any:
        queue = task.rsplit(".", 1)[0]
        return self.app.send_task(task, kwargs=kwargs, queue=queue).get(timeout=30)

    def wait(self, saga_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            saga: dict[str, Any] = self.call("orchestrator.get_saga", saga_id=saga_id)
            if saga["state"] in TERMINAL_STATUSES or time.monotonic() > deadline:
                return saga
            time.sleep(0.1)


def review(client: Client, saga_id: str, decision: str) -> None:
    """Play the reviewer: wait for the order to reach review, then decide."""
    deadline = time.monotonic() + 30
    while client.call("orchestrator.get_saga", saga_id=saga_id)["state"] != "awaiting_approval":
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)
    if decision == "approve":
        client.call("orchestrator.approve_saga", saga_id=saga_id, by="the demo's reviewer")
    else:
        client.call(
            "orchestrator.reject_saga", saga_id=saga_id, reason="the demo's reviewer said no"
        )


def check_broker(url: str) -> None:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as exc:
        sys.exit(
            f"Redis does not answer at {url} ({exc}).\nStart it, for example: redis-server "
            "--daemonize yes --port 6379 --save '' --appendonly no\nor set SAGA_BROKER_URL."
        )


def show_reactor_effects(client: Client, sink: SmtpSink, orders: list[dict[str, Any]]) -> bool:
    """Wait for the choreographed side effects of every finished order, then show them."""
    ids = {o["order_id"] for o in orders}
    ended = [
        order_id
        for order_id in sorted(ids)
        if client.call("orchestrator.get_saga", order_id=order_id)["state"]
        in ("completed", "compensated")
    ]
    deadline = time.monotonic() + 60
    while True:
        mails = [m for order_id in ended for m in sink.messages_for(order_id)]
        facts = [
            fact
            for order_id in ended
            for fact in client.call("reactor.analytics.order_facts", order_id=order_id)
        ]
        customer = client.call("reactor.crm.get_customer", customer_id=CUSTOMER_ID) or {}
        entries = [h for h in customer.get("history", []) if h["order_id"] in ids]
        complete = len(mails) == len(facts) == len(entries) == len(ended)
        if complete or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print("\n" + "=" * 78 + "\nReactors: each event fanned out to its own queue and store")
    print(f"Email: {len(mails)} message(s) received by the local SMTP server")
    for mail in mails:
        print(f"  to {mail['To']}: {mail['Subject']}")
    print("Analytics, per day:")
    for total in client.call("reactor.analytics.daily_totals"):
        print(
            f"  {total['day']} {total['currency']}: {total['orders']} order(s), revenue "
            f"{total['revenue_cents'] / 100:.2f}, {total['cancelled']} cancelled"
        )
    print(
        f"CRM: customer {CUSTOMER_ID}: {customer.get('orders', 0)} order(s), lifetime value "
        f"{customer.get('lifetime_value_cents', 0) / 100:.2f}; history:"
    )
    for entry in entries:
        print(f"  {entry['order_id']}: {entry['event']} ({entry['note']})")
    # each reactor says what it holds when the dispatcher checks (every few seconds)
    settle = time.monotonic() + 15
    listed = client.call(LIST)
    while any(s["behind"] for s in listed) and time.monotonic() < settle:
        time.sleep(0.5)
        listed = client.call(LIST)
    print("Subscriptions, as the event dispatcher holds them (sagactl reactors list):")
    for line in format_subscriptions(listed).splitlines():
        print(f"  {line}")
    return complete


def run_scenarios(client: Client, run: str) -> tuple[list[bool], list[dict[str, Any]]]:
    for sku, quantity in STOCK.items():
        client.call("inventory.set_stock", sku=sku, quantity=quantity)
    print("Stock seeded: " + ", ".join(f"{sku}={qty}" for sku, qty in STOCK.items()))
    placed = []
    for number, scenario in enumerate(SCENARIOS, 1):
        order = order_for(scenario, run, number)
        placed.append((scenario, order, client.call("orchestrator.place_order", **order)))
    again = client.call("orchestrator.place_order", **placed[0][1])
    print(
        f"Submitting {placed[0][1]['order_id']} again: same saga {again['saga_id']}, "
        f"duplicate={again['duplicate']}"
    )
    try:
        client.call("orchestrator.place_order", **{**placed[0][1], "order_id": "bad order!"})
    except ValueError as exc:
        print(f"An invalid order is refused: {exc}")

    for scenario, _order, started in placed:
        if scenario.review:
            review(client, started["saga_id"], scenario.review)
    verdicts = []
    for scenario, order, started in placed:
        saga = client.wait(started["saga_id"])
        code = (saga["failure"] or {}).get("code")
        ok = saga["state"] == scenario.expected and code == scenario.expected_code
        verdicts.append(ok)
        print("\n" + "=" * 78)
        because = f" because {code}" if code else ""
        print(
            f"{scenario.title}\norder {order['order_id']}: {saga['state']}{because} "
            f"(expected {scenario.expected}) {'OK' if ok else 'UNEXPECTED'}"
        )
        print(format_timeline(saga))
        payments = client.call("payment.get_payments", order_id=order["order_id"])
        shipments = client.call("shipping.get_shipments", order_id=order["order_id"])
        print(
            f"  payment: net charged {payments['net_charged_cents'] / 100:.2f} EUR "
            f"over {len(payments['payments'])} payment(s); shipments: "
            + (", ".join(s["tracking_number"] for s in shipments) or "none")
        )
    print("\n" + "=" * 78)
    for sku, seeded in STOCK.items():
        stock = client.call("inventory.get_stock", sku=sku)
        print(
            f"Stock {sku}: seeded {seeded}, available {stock['available']}, "
            f"held by reservations {stock['reserved']}"
        )
    return verdicts, [order for _scenario, order, _started in placed]


def run_returns(
    client: Client, sink: SmtpSink, run: str, orders: list[dict[str, Any]]
) -> list[bool]:
    """Return lines of finished orders through the returns saga; print each outcome, its
    timeline, its diagram with its position, and what the reactors made of it."""
    print("\n" + "=" * 78 + "\nReturns: a second saga, started with orchestrator.start_saga")
    verdicts, ended = [], []
    for number, scenario in enumerate(RETURN_SCENARIOS, 1):
        order = orders[scenario.order]
        given = {
            "return_id": f"ret-{run}-{number}",
            "order_id": order["order_id"],
            "lines": [{"sku": sku, "quantity": qty} for sku, qty in scenario.lines],
            "reason": "the demo changed its mind",
        }
        print("\n" + "=" * 78 + f"\n{scenario.title}")
        try:
            started = client.call("orchestrator.start_saga", definition="returns", input=given)
        except ValueError as exc:
            ok = scenario.expected == "refused"
            print(f"return {given['return_id']}: refused: {exc} {'OK' if ok else 'UNEXPECTED'}")
            verdicts.append(ok)
            continue
        saga = client.wait(started["saga_id"])
        code = (saga["failure"] or {}).get("code")
        ok = saga["state"] == scenario.expected and code == scenario.expected_code
        verdicts.append(ok)
        because = f" because {code}" if code else ""
        print(
            f"return {given['return_id']} of order {order['order_id']}: {saga['state']}{because} "
            f"(expected {scenario.expected}) {'OK' if ok else 'UNEXPECTED'}"
        )
        print(format_timeline(saga))
        steps = {s["name"]: s["status"] for s in saga["steps"]}
        chart = client.call(
            "orchestrator.describe_definition", name="returns", state=saga["state"], steps=steps
        )
        print("  its diagram, generated from the definition (where it ended is marked):")
        for line in chart["mermaid"].splitlines():
            print(f"    {line}")
        refunds = client.call("payment.get_refunds", order_id=order["order_id"])
        labels = client.call("shipping.get_return_labels", order_id=order["order_id"])
        print(
            "  payment refunds: "
            + (
                ", ".join(f"{r['amount_cents'] / 100:.2f} {r['currency']}" for r in refunds)
                or "none"
            )
            + "; return labels: "
            + (", ".join(f"{lb['tracking_number']} {lb['status']}" for lb in labels) or "none")
        )
        ended.append(order["order_id"])
    deadline = time.monotonic() + 60
    while True:  # recorded by the email reactor and received by the mail server
        mails = [
            m
            for o in ended
            for m in client.call("reactor.email.sent_emails", order_id=o)
            if m["kind"] in RETURN_EMAILS
        ]
        received = {m["Message-ID"] for o in ended for m in sink.messages_for(o)}
        delivered = len(mails) == len(ended) and all(m["message_id"] in received for m in mails)
        if delivered or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print("\nReactors on the returns:")
    for mail in mails:
        here = "received" if mail["message_id"] in received else "NOT RECEIVED"
        print(f"  email to {mail['recipient']}: {mail['subject']} ({here})")
    for day in client.call("reactor.analytics.refunds_per_day"):
        print(
            f"  analytics {day['day']} {day['currency']}: {day['refunds']} refund(s), "
            f"{day['refunded_cents'] / 100:.2f} refunded, {day['rejected']} rejected"
        )
    customer = client.call("reactor.crm.get_customer", customer_id=CUSTOMER_ID) or {}
    print(
        f"  CRM: lifetime value of {CUSTOMER_ID} now "
        f"{customer.get('lifetime_value_cents', 0) / 100:.2f} (refunds taken off)"
    )
    verdicts.append(delivered)
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="saga-demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--procfile", type=Path, default=Path(__file__).parent.parent / "Procfile")
    args = parser.parse_args(argv)
    broker = os.environ.get("SAGA_BROKER_URL", DEFAULT_BROKER_URL)
    check_broker(broker)
    run = uuid.uuid4().hex[:6]
    workdir = Path(tempfile.mkdtemp(prefix=f"saga-demo-{run}-"))
    sink = SmtpSink()
    sink.start()
    env = platform_env(
        {
            "SAGA_BROKER_URL": broker,
            "SAGA_DATA_DIR": str(workdir / "data"),
            "REACTOR_EMAIL_SMTP_PORT": str(sink.port),
            "FLOWER_PORT": os.environ.get("FLOWER_PORT", str(free_port())),
            "SAGA_METRICS_PORT": os.environ.get("SAGA_METRICS_PORT", str(free_port())),
            "SAGA_WEB_PORT": os.environ.get("SAGA_WEB_PORT", str(free_port())),
        }
    )
    platform = Platform(read_procfile(args.procfile), env, workdir)
    print(f"Starting {len(platform.commands)} processes (logs and SQLite stores in {workdir})")
    platform.start()
    client = Client(broker)
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
        returns = run_returns(client, sink, run, orders)
    finally:
        platform.stop()
        client.app.close()
        sink.stop()
        print("Stopped every process the demo started.")
    print(
        f"{sum(verdicts)} of {len(verdicts)} orders ended as expected; "
        f"{sum(returns[:-1])} of {len(returns) - 1} returns ended as expected; reactor effects "
        + ("complete." if reactors_ok and returns[-1] else "INCOMPLETE.")
    )
    return 0 if all(verdicts) and reactors_ok and all(returns) else 1


if __name__ == "__main__":
    raise SystemExit(main())
