"""The reactors' effects of ReturnCompleted and ReturnRejected, on a real store (SQLite and
PostgreSQL) and, for email, a real SMTP server (the aiosmtpd sink), with decoded messages
and no broker: each reactor's handler is called directly. A second copy of an event goes
through the reactor's own inbound task, run in this process as its worker runs it: the
inbox there, not the handler, is what makes a copy harmless.

One file over 300 lines: every test here runs on its two fixtures (a reactor app on a
throw-away store), which a split would have to move into tests/service/conftest.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from devtools.scratch_databases import postgres_database
from devtools.smtp_sink import SmtpSink
from messaging import reactor_worker
from messaging.codec import Message, decode
from messaging.contracts import Envelope, Payload
from messaging.contracts.orders import Customer, OrderItem
from messaging.contracts.payment import PaymentCharged
from messaging.handlers import NotHandled
from messaging.reactors import EventHandler, Reactor, load
from messaging.service_app import ServiceApp
from messaging.settings import env_prefix
from messaging.tables import inbox
from reactors.analytics import REACTOR as ANALYTICS
from reactors.crm import REACTOR as CRM
from reactors.email import REACTOR as EMAIL
from sagas.checkout.events import OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.service

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
REACTORS = {"email": EMAIL, "analytics": ANALYTICS, "crm": CRM}
# the tables a return event writes to, per reactor
RETURN_TABLES = {
    "email": {"sent_emails"},
    "analytics": {"return_facts", "refunds_per_day"},
    "crm": {"customers", "customer_history"},
}
# 2 x 5.00 + 1 x 2.34 = 12.34 EUR back, of an order of 30.00 EUR
LINES = [
    ReturnedLine(sku="SKU-1", quantity=2, unit_price_cents=500),
    ReturnedLine(sku="SKU-2", quantity=1, unit_price_cents=234),
]


class OwnTasksApp(ServiceApp):
    """A reactor's app whose tasks are its own. Celery's default (``shared=True``) also
    registers each task on every app finalized later in the process: harmless in a worker,
    which has one app, but a second app of the same reactor here would get the first one's
    tasks, bound to the first one's store."""

    def task(self, *args: Any, **opts: Any) -> Any:
        return super().task(*args, **{"shared": False, **opts})


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One reactor's store: a SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reactor.db'}"
        return
    with postgres_database(POSTGRES_ADMIN_URL, f"saga_r{uuid.uuid4().hex[:8]}") as url:
        yield url


@pytest.fixture
def reactor_app(
    database_url: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Reactor], ServiceApp]]:
    """The reactor's app as ``saga-reactor`` builds it, on the test's store. Its broker is
    in memory: nothing here may reach a shared Redis."""
    monkeypatch.setenv("SAGA_BROKER_URL", "memory://")
    monkeypatch.setenv("SAGA_RESULT_BACKEND", "cache+memory://")
    monkeypatch.setenv("REACTOR_EMAIL_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setattr(reactor_worker, "ServiceApp", OwnTasksApp)
    built: list[ServiceApp] = []

    def build(reactor: Reactor) -> ServiceApp:
        monkeypatch.setenv(f"{env_prefix(reactor.service)}_DATABASE_URL", database_url)
        app = reactor_worker.build_app(reactor)
        app.check_store()  # the store as the reactor's worker leaves it at its start
        built.append(app)
        return app

    yield build
    for app in built:
        app.engine.dispose()
        app.close()


def customer() -> Customer:
    return Customer(id=f"cus-{uuid.uuid4().hex[:8]}", email="ada@example.com", name="Ada")


def completed(order_id: str, who: Customer, refund_cents: int = 1234) -> ReturnCompleted:
    return ReturnCompleted(
        return_id=f"RET-{order_id}",
        order_id=order_id,
        customer=who,
        lines=LINES,
        refund_cents=refund_cents,
        currency="EUR",
        refund_id="ref-1",
        tracking_number="RL0042",
        reason="too small",
    )


def rejected(order_id: str, who: Customer, refund_cents: int = 0) -> ReturnRejected:
    return ReturnRejected(
        return_id=f"RET-{order_id}-2",
        order_id=order_id,
        customer=who,
        lines=LINES[:1],
        refund_cents=refund_cents,
        currency="EUR",
        code="pickup_refused",
        reason="no carrier collects from that address",
    )


def confirmed(order_id: str, who: Customer) -> OrderConfirmed:
    return OrderConfirmed(
        order_id=order_id,
        customer=who,
        items=[OrderItem(sku="SKU-1", quantity=3, unit_price_cents=1000)],
        total_cents=3000,
        currency="EUR",
        payment_id="pay-1",
        shipment_id="shp-1",
        tracking_number="FP1",
    )


def as_logged(payload: Payload) -> dict[str, Any]:
    """The envelope as the dispatcher sends it, from a fixed time (one UTC day)."""
    raw = Envelope.wrap(payload, saga_id=str(uuid.uuid4()), correlation_id="corr-1").to_json_dict()
    return {**raw, "occurred_at": T0.isoformat()}


def handled(app: ServiceApp, reactor: Reactor, *payloads: Payload) -> list[dict[str, Any]]:
    """Each payload, logged, decoded and given to the reactor's handler in a transaction
    of its own, as the worker would; returns what was logged."""
    handler: EventHandler = load(reactor.handler)()
    logged = [as_logged(payload) for payload in payloads]
    for raw in logged:
        message: Message[Payload] = decode(raw)
        with app.engine.begin() as conn:
            handler(conn, message)
    return logged


def call(app: ServiceApp, task: str, **kwargs: Any) -> Any:
    """A read task, run in this process."""
    return app.tasks[task](**kwargs)


def only_mail(sink: SmtpSink, order_id: str) -> EmailMessage:
    mails = sink.messages_for(order_id)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    return mails[0]


# --- email ----------------------------------------------------------------------------------


def test_a_completed_return_sends_one_refund_email(reactor_app, smtp_sink):
    app, order_id = reactor_app(EMAIL), f"ORD-{uuid.uuid4().hex[:8]}"

    [event] = handled(app, EMAIL, completed(order_id, customer()))

    mail = only_mail(smtp_sink, order_id)
    assert mail["Subject"] == f"Your refund for order {order_id} is on its way"
    assert mail["To"] == "ada@example.com"
    assert mail["Message-ID"] == f"<{event['message_id']}@saga-platform>"
    body = mail.get_content()
    assert "your refund of 12.34 EUR is on its way." in body
    assert "  2 x SKU-1 at 5.00 EUR" in body
    assert "Return label tracking number: RL0042" in body
    sent = call(app, "reactor.email.sent_emails", order_id=order_id)
    assert [(s["event_id"], s["kind"]) for s in sent] == [(event["message_id"], "return_refund")]
    trail = call(app, "reactor.email.order_trail", order_id=order_id)
    assert [t["what"] for t in trail] == ["return_refund email sent"]


def test_a_rejected_return_sends_one_notice_with_the_reason_and_any_refund(reactor_app, smtp_sink):
    app, order_id = reactor_app(EMAIL), f"ORD-{uuid.uuid4().hex[:8]}"

    handled(app, EMAIL, rejected(order_id, customer(), refund_cents=1234))

    mail = only_mail(smtp_sink, order_id)
    assert mail["Subject"] == f"We could not process your return for order {order_id}"
    body = mail.get_content()
    assert "Reason: no carrier collects from that address" in body
    assert "12.34 EUR was refunded to you anyway." in body
    sent = call(app, "reactor.email.sent_emails", order_id=order_id)
    assert [s["kind"] for s in sent] == ["return_rejected"]


# --- analytics ------------------------------------------------------------------------------


def test_refunds_are_counted_in_their_day_with_one_fact_per_return(reactor_app):
    app, order_id, who = reactor_app(ANALYTICS), "ORD-1", customer()

    handled(
        app,
        ANALYTICS,
        completed(order_id, who, refund_cents=1234),
        rejected(order_id, who, refund_cents=0),  # rejected, nothing paid
        rejected("ORD-2", who, refund_cents=500),  # rejected, but the refund went out
        completed("ORD-3", who, refund_cents=100).model_copy(update={"currency": "USD"}),
    )

    days = call(app, "reactor.analytics.refunds_per_day")
    counted = [(d["day"], d["currency"], d["refunds"], d["refunded_cents"]) for d in days]
    assert counted == [("2026-12-01", "EUR", 2, 1734), ("2026-12-01", "USD", 1, 100)]
    assert [d["rejected"] for d in days] == [2, 0]
    assert set(days[0]) == {"day", "currency", "refunds", "refunded_cents", "rejected"}
    assert call(app, "reactor.analytics.refunds_per_day", day="2026-12-02") == []
    assert call(app, "reactor.analytics.daily_totals") == []  # orders are counted apart
    trail = call(app, "reactor.analytics.order_trail", order_id=order_id)
    assert sorted((t["what"], t["detail"]) for t in trail) == [
        ("return fact recorded: completed", "return RET-ORD-1: refund 12.34 EUR on 2026-12-01"),
        ("return fact recorded: rejected", "return RET-ORD-1-2: refund 0.00 EUR on 2026-12-01"),
    ]


# --- crm ------------------------------------------------------------------------------------


def test_a_refund_lowers_the_lifetime_value_and_each_return_is_in_the_history(reactor_app):
    app, order_id, who = reactor_app(CRM), "ORD-1", customer()

    handled(app, CRM, confirmed(order_id, who), completed(order_id, who))
    after_refund = call(app, "reactor.crm.get_customer", customer_id=who.id)
    handled(app, CRM, rejected(order_id, who, refund_cents=0))
    after_rejection = call(app, "reactor.crm.get_customer", customer_id=who.id)

    assert (after_refund["orders"], after_refund["lifetime_value_cents"]) == (1, 3000 - 1234)
    assert (after_rejection["orders"], after_rejection["lifetime_value_cents"]) == (1, 1766)
    assert [(h["event"], h["total_cents"], h["note"]) for h in after_rejection["history"]] == [
        ("OrderConfirmed", 3000, "confirmed, tracking FP1"),
        ("ReturnCompleted", 1234, "returned 3 units, refund 12.34 EUR (return RET-ORD-1)"),
        ("ReturnRejected", 0, "return RET-ORD-1-2 rejected: no carrier collects from that address"),
    ]
    trail = call(app, "reactor.crm.order_trail", order_id=order_id)
    assert [t["what"] for t in trail] == [
        "customer history: OrderConfirmed",
        "customer history: ReturnCompleted",
        "customer history: ReturnRejected",
    ]


def test_a_rejected_return_whose_refund_went_out_lowers_the_lifetime_value(reactor_app):
    app, who = reactor_app(CRM), customer()

    handled(app, CRM, confirmed("ORD-1", who), rejected("ORD-1", who, refund_cents=500))

    known = call(app, "reactor.crm.get_customer", customer_id=who.id)
    assert known["lifetime_value_cents"] == 2500
    assert known["history"][-1]["note"] == (
        "refunded 5.00 EUR anyway; return RET-ORD-1-2 rejected: "
        "no carrier collects from that address"
    )


# --- each copy once -------------------------------------------------------------------------


def contents(conn: Connection, reactor: Reactor) -> dict[str, list[Any]]:
    """Every row of the reactor's own tables, in key order."""
    tables = load(reactor.tables).sorted_tables if reactor.tables else []
    return {
        table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
        for table in tables
    }


@pytest.mark.parametrize("name", sorted(REACTORS))
def test_a_second_copy_of_a_return_event_changes_nothing(name, reactor_app, smtp_sink):
    reactor = REACTORS[name]
    app, order_id, who = reactor_app(reactor), f"ORD-{uuid.uuid4().hex[:8]}", customer()
    inbound = app.tasks[f"{reactor.service}.handle_message"]
    logged = [as_logged(completed(order_id, who)), as_logged(rejected(order_id, who, 500))]

    for raw in logged:
        inbound(message=raw)
    with app.engine.begin() as conn:
        once = contents(conn, reactor)
    for raw in logged:
        inbound(message=raw)
    with app.engine.begin() as conn:
        twice = contents(conn, reactor)
        seen = conn.execute(select(inbox.c.message_id)).scalars().all()

    assert {table for table, rows in once.items() if rows} == RETURN_TABLES[name]
    assert twice == once
    assert sorted(seen) == sorted(raw["message_id"] for raw in logged)
    mails = len(smtp_sink.messages_for(order_id))
    assert mails == (2 if name == "email" else 0)


@pytest.mark.parametrize("name", sorted(REACTORS))
def test_the_handler_alone_refuses_an_event_it_already_applied(name, reactor_app, smtp_sink):
    """Without the inbox (a bug, a replay by hand), the handler's own key on the event id
    refuses the copy before any effect: the transaction rolls back, and no mail goes."""
    reactor = REACTORS[name]
    app, order_id = reactor_app(reactor), f"ORD-{uuid.uuid4().hex[:8]}"
    handler: EventHandler = load(reactor.handler)()
    message = decode(as_logged(completed(order_id, customer())))
    with app.engine.begin() as conn:
        handler(conn, message)
        once = contents(conn, reactor)

    with pytest.raises(IntegrityError), app.engine.begin() as conn:
        handler(conn, message)

    with app.engine.begin() as conn:
        assert contents(conn, reactor) == once
    assert len(smtp_sink.messages_for(order_id)) == (1 if name == "email" else 0)


@pytest.mark.parametrize("name", sorted(REACTORS))
def test_a_payload_the_handler_does_not_know_is_not_handled(name, reactor_app):
    """The worker refuses an undeclared type first (parked); a type the handler has no
    entry for raises NotHandled, a malformed message the consumer parks at once."""
    app = reactor_app(REACTORS[name])
    handler: EventHandler = load(REACTORS[name].handler)()
    charged = PaymentCharged(order_id="ORD-1", payment_id="pay-1", amount_cents=1, currency="EUR")
    with pytest.raises(NotHandled, match="does not handle PaymentCharged"), app.engine.begin() as c:
        handler(c, decode(as_logged(charged)))
