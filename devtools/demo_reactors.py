"""What the demo shows of the choreographed side: each reactor's own records of the orders
and returns (email received by the local SMTP sink, analytics, CRM) and the event
dispatcher's subscriptions, once every effect arrived or a deadline passed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from console.cli.reactor_commands import format_subscriptions
from devtools.demo_scenarios import CUSTOMER_ID
from devtools.smtp_sink import SmtpSink
from messaging.contracts.money import format_money
from messaging.subscriptions import LIST
from saga_client import SagaPlatform

# How long the reactors may take to act on what ended, and the dispatcher to hear from them.
EFFECTS_WAIT = 60.0
SETTLE_WAIT = 15.0
# the email reactor's kinds of email for a return's outcome (reactor.email.sent_emails)
RETURN_EMAILS = frozenset({"return_refund", "return_rejected"})


def poll_until(look: Callable[[], tuple[bool, Any]], timeout: float, every: float = 0.2) -> Any:
    """``look()`` again and again until it says done or ``timeout`` seconds passed; what
    it saw last."""
    deadline = time.monotonic() + timeout
    while True:
        done, seen = look()
        if done or time.monotonic() > deadline:
            return seen
        time.sleep(every)


def show_reactor_effects(
    platform: SagaPlatform, sink: SmtpSink, orders: list[dict[str, Any]]
) -> bool:
    """Wait for the choreographed side effects of every finished order, then show them."""
    call = platform.tasks.call
    ids = {o["order_id"] for o in orders}
    ended = [
        order_id
        for order_id in sorted(ids)
        if platform.get_saga(order_id=order_id).state in ("completed", "compensated")
    ]

    def look() -> tuple[bool, Any]:
        mails = [m for order_id in ended for m in sink.messages_for(order_id)]
        facts = [
            fact
            for order_id in ended
            for fact in call("reactor.analytics.order_facts", {"order_id": order_id})
        ]
        customer = call("reactor.crm.get_customer", {"customer_id": CUSTOMER_ID}) or {}
        entries = [h for h in customer.get("history", []) if h["order_id"] in ids]
        complete = len(mails) == len(facts) == len(entries) == len(ended)
        return complete, (complete, mails, customer, entries)

    complete, mails, customer, entries = poll_until(look, EFFECTS_WAIT)
    print("\n" + "=" * 78 + "\nReactors: each event fanned out to its own queue and store")
    print(f"Email: {len(mails)} message(s) received by the local SMTP server")
    for mail in mails:
        print(f"  to {mail['To']}: {mail['Subject']}")
    print("Analytics, per day:")
    for total in call("reactor.analytics.daily_totals", {}):
        print(
            f"  {total['day']}: {total['orders']} order(s), revenue "
            f"{format_money(total['revenue_cents'], total['currency'])}, "
            f"{total['cancelled']} cancelled"
        )
    print(
        f"CRM: customer {CUSTOMER_ID}: {customer.get('orders', 0)} order(s), lifetime value "
        f"{format_money(customer.get('lifetime_value_cents', 0), 'EUR')}; history:"
    )
    for entry in entries:
        print(f"  {entry['order_id']}: {entry['event']} ({entry['note']})")

    # each reactor says what it holds when the dispatcher checks (every few seconds)
    def settled() -> tuple[bool, Any]:
        seen = call(LIST, {})
        return not any(s["behind"] for s in seen), seen

    listed = poll_until(settled, SETTLE_WAIT, every=0.5)
    print("Subscriptions, as the event dispatcher holds them (sagactl reactors list):")
    for line in format_subscriptions(listed).splitlines():
        print(f"  {line}")
    return bool(complete)


def show_return_effects(platform: SagaPlatform, sink: SmtpSink, ran: list[str]) -> bool:
    """The reactors on the returns that ran (by order id): the email each sent and the
    mail server received, analytics' refunds per day, the CRM's lifetime value."""
    call = platform.tasks.call

    def look() -> tuple[bool, Any]:  # recorded by the email reactor, received by the server
        mails = [
            m
            for o in ran
            for m in call("reactor.email.sent_emails", {"order_id": o})
            if m["kind"] in RETURN_EMAILS
        ]
        received = {m["Message-ID"] for o in ran for m in sink.messages_for(o)}
        delivered = len(mails) == len(ran) and all(m["message_id"] in received for m in mails)
        return delivered, (delivered, mails, received)

    delivered, mails, received = poll_until(look, EFFECTS_WAIT)
    print("\nReactors on the returns:")
    for mail in mails:
        here = "received" if mail["message_id"] in received else "NOT RECEIVED"
        print(f"  email to {mail['recipient']}: {mail['subject']} ({here})")
    for day in call("reactor.analytics.refunds_per_day", {}):
        print(
            f"  analytics {day['day']}: {day['refunds']} refund(s), "
            f"{format_money(day['refunded_cents'], day['currency'])} refunded, "
            f"{day['rejected']} rejected"
        )
    customer = call("reactor.crm.get_customer", {"customer_id": CUSTOMER_ID}) or {}
    print(
        f"  CRM: lifetime value of {CUSTOMER_ID} now "
        f"{format_money(customer.get('lifetime_value_cents', 0), 'EUR')} (refunds taken off)"
    )
    return bool(delivered)
