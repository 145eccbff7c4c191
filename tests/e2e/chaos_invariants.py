"""The invariants of a checkout that must hold after the chaos test: read from each
service's own store (SQLite files), each broken one a line saying what and where."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e.chaos_platform import Chaos, rows


def check_invariants(
    chaos: Chaos,
    data: Path,
    submitted: list[dict[str, Any]],
    states: dict[str, str],
    initial_stock: dict[str, int],
) -> list[str]:
    violations: list[str] = []
    by_id = {o["order_id"]: o for o in submitted}
    completed = {o for o, s in states.items() if s == "completed"}
    for order_id, error in rows(
        data / "orchestrator.db", "SELECT business_key, error FROM sagas WHERE status = 'failed'"
    ):
        if not error:
            violations.append(f"{order_id}: failed without a reason")
    for order_id in by_id:
        if order_id.endswith("-reject") and states.get(order_id) != "compensated":
            violations.append(f"{order_id}: rejected in review but {states.get(order_id)}")

    sold = Counter[str]()
    for order_id in completed:
        for item in by_id[order_id]["items"]:
            sold[item["sku"]] += item["quantity"]
    stock = dict(rows(data / "inventory.db", "SELECT sku, available FROM stock"))
    for sku, initial in initial_stock.items():
        if initial - sold[sku] != stock[sku]:
            violations.append(f"{sku}: {initial} - {sold[sku]} sold != {stock[sku]} available")
    held = rows(
        data / "inventory.db", "SELECT order_id FROM reservations WHERE status = 'reserved'"
    )
    for (order_id,) in held:
        if order_id not in completed:
            violations.append(f"{order_id}: reservation held by a {states.get(order_id)} saga")

    violations += check_payments(data, by_id, completed)
    violations += check_shipments(data, by_id, completed, states)
    violations += check_reactors(chaos, data, completed)
    return violations


def check_payments(data: Path, by_id: dict[str, Any], completed: set[str]) -> list[str]:
    """No order charged twice; net charge = total when completed, 0 otherwise."""
    charges = rows(
        data / "payment.db",
        "SELECT order_id, amount_cents - refunded_cents FROM payments "
        "WHERE status IN ('charged', 'refunded')",
    )
    count = Counter(order_id for order_id, _ in charges)
    net = Counter[str]()
    for order_id, amount in charges:
        net[order_id] += amount
    violations = [f"{o}: charged {n} times" for o, n in count.items() if n > 1]
    for order_id, placed in by_id.items():
        total = sum(i["quantity"] * i["unit_price_cents"] for i in placed["items"])
        expected = total if order_id in completed else 0
        if net[order_id] != expected:
            violations.append(f"{order_id}: net charge {net[order_id]}, expected {expected}")
    return violations


def check_shipments(
    data: Path, by_id: dict[str, Any], completed: set[str], states: dict[str, str]
) -> list[str]:
    shipments = Counter(o for (o,) in rows(data / "shipping.db", "SELECT order_id FROM shipments"))
    return [
        f"{order_id}: {shipments[order_id]} shipments, {states[order_id]}"
        for order_id in by_id
        if shipments[order_id] != (1 if order_id in completed else 0)
    ]


def check_reactors(chaos: Chaos, data: Path, completed: set[str]) -> list[str]:
    """Exactly one email, analytics fact and CRM entry per completed order (waiting a
    bounded time for the reactors to catch up)."""
    sink = chaos.sink
    deadline = max(time.monotonic() + 10, chaos.until(120))
    while True:
        confirmations = [
            m for o in completed for m in sink.messages_for(o) if "confirmed" in str(m["Subject"])
        ]
        # One email per order as the customer sees it: the same Message-ID twice is one
        # message to a mailbox that deduplicates by it. A reactor killed between the SMTP
        # server's "250 accepted" and its commit sends it again: reported, not hidden.
        emails = Counter(o for o, _ in {(m["X-Order-Id"], m["Message-ID"]) for m in confirmations})
        chaos.email_resends = len(confirmations) - sum(emails.values())
        facts = Counter(
            o
            for (o,) in rows(
                data / "reactor.analytics.db",
                "SELECT order_id FROM order_facts WHERE outcome = 'confirmed'",
            )
        )
        crm = Counter(
            o
            for (o,) in rows(
                data / "reactor.crm.db",
                "SELECT order_id FROM customer_history WHERE event = 'OrderConfirmed'",
            )
        )
        caught_up = all(min(c[o] for c in (emails, facts, crm)) >= 1 for o in completed)
        if caught_up or time.monotonic() > deadline:
            break
        time.sleep(1)
    violations = []
    for order_id in completed:
        for name, counter in (("emails", emails), ("analytics facts", facts), ("CRM entries", crm)):
            if counter[order_id] != 1:
                violations.append(f"{order_id}: {counter[order_id]} {name}")
    return violations
