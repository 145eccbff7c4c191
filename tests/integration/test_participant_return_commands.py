"""The participants' commands for returns (partial refunds, return labels, restocks) on a
real store, SQLite and PostgreSQL: each handler called as the inbound task calls it, one
transaction per message, no broker. A command sent again under a new message id (a
compensation retried after a failure reply) must not do its work twice."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, Engine, MetaData, func, select, update

from messaging.codec import Message, decode
from messaging.contracts import Envelope, Payload
from messaging.contracts.inventory import (
    InventoryRestocked,
    RestockInventory,
    StockLine,
)
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentOutcomeUnknown,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
from messaging.contracts.shipping import (
    CreateReturnLabel,
    ReturnLabelCreated,
    ReturnLabelRefused,
    ReturnLabelVoided,
    VoidReturnLabel,
)
from messaging.database import build_engine, create_schema
from messaging.outbox import OutgoingMessage
from participants.inventory import handlers as inventory_handlers
from participants.inventory import store as inventory_store
from participants.payment import store as payment_store
from participants.payment.card_network import FakeCardNetwork
from participants.payment.handlers import PaymentHandlers
from participants.payment.rules import Declined, Refunded
from participants.shipping import store as shipping_store
from participants.shipping.carrier import FakeCarrier
from participants.shipping.handlers import ShippingHandlers
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.service  # the service tier: real stores, no broker

Handler = Callable[[Connection, Message[Payload]], Sequence[OutgoingMessage]]
StoreFactory = Callable[[MetaData], Engine]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Makes one participant's store, with its tables, in a database of this test's own."""
    engines: list[Engine] = []
    name = f"saga_r{uuid.uuid4().hex[:8]}"
    if request.param == "postgresql":
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def make(metadata: MetaData) -> Engine:
        if request.param == "sqlite":
            engine = build_engine(f"sqlite:///{tmp_path / 'participant.db'}")
        else:
            engine = build_engine(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
        create_schema(engine, metadata)
        engines.append(engine)
        return engine

    try:
        yield make
    finally:
        for engine in engines:
            engine.dispose()
        if request.param == "postgresql":
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def send(engine: Engine, handler: Handler, payload: Payload) -> Any:
    """One command under a new message id, handled in one transaction; its one reply."""
    envelope = Envelope.wrap(payload, saga_id="saga-1", correlation_id="corr-1", reply_to="returns")
    message = decode(envelope.to_json_dict())
    with engine.begin() as conn:
        (reply,) = handler(conn, message)
    assert reply.queue == "returns"
    assert reply.envelope.causation_id == envelope.message_id
    return decode(reply.envelope.to_json_dict()).payload


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- payment: partial refunds ------------------------------------------------------------


@pytest.fixture
def payments(store: StoreFactory) -> Engine:
    return store(payment_store.metadata)


PAYMENT = PaymentHandlers(FakeCardNetwork())


def charged(engine: Engine, amount_cents: int = 3000, token: str = "tok_visa") -> PaymentCharged:
    order_id = unique("ord")
    charge = ChargePayment(
        order_id=order_id, amount_cents=amount_cents, currency="EUR", payment_token=token
    )
    reply = send(engine, PAYMENT, charge)
    assert isinstance(reply, PaymentCharged)
    return reply


def refund(
    engine: Engine, payment: PaymentCharged, amount: int | None = None, reference: str | None = None
) -> Any:
    command = RefundPayment(
        order_id=payment.order_id,
        payment_id=payment.payment_id,
        amount_cents=amount,
        reference=reference,
    )
    return send(engine, PAYMENT, command)


def payment_row(engine: Engine, payment: PaymentCharged) -> tuple[str, int, int]:
    with engine.begin() as conn:
        view = payment_store.payments_of(conn, payment.order_id)
    (row,) = view["payments"]
    return row["status"], row["refunded_cents"], view["net_charged_cents"]


def refund_rows(engine: Engine, payment: PaymentCharged) -> list[tuple[int, str | None]]:
    with engine.begin() as conn:
        rows = payment_store.refunds_of(conn, payment.order_id)
    return [(r["amount_cents"], r["reference"]) for r in rows]


def test_partial_refunds_add_up_and_one_beyond_the_charge_is_refused(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000, "RET-1")
    second = refund(payments, payment, 1500, "RET-2")
    beyond = refund(payments, payment, 600, "RET-3")

    assert isinstance(first, PaymentRefunded)
    assert isinstance(second, PaymentRefunded)
    assert (first.amount_cents, second.amount_cents) == (1000, 1500)
    assert first.refund_id != second.refund_id
    assert beyond == PaymentRefundFailed(
        order_id=payment.order_id,
        payment_id=payment.payment_id,
        code="refund_exceeds_charge",
        reason="a refund of 600 cents exceeds the 500 cents left to refund "
        "(3000 charged, 2500 already refunded)",
    )
    assert payment_row(payments, payment) == ("partially_refunded", 2500, 500)
    assert refund_rows(payments, payment) == [(1000, "RET-1"), (1500, "RET-2")]


def test_the_same_reference_twice_makes_one_refund(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000, "RET-1")
    again = refund(payments, payment, 1000, "RET-1")  # a new message id
    other_amount = refund(payments, payment, 700, "RET-1")

    assert isinstance(first, PaymentRefunded)
    assert again == other_amount == first
    assert payment_row(payments, payment) == ("partially_refunded", 1000, 2000)
    assert refund_rows(payments, payment) == [(1000, "RET-1")]


def test_a_full_refund_after_partial_refunds_gives_back_the_rest_once(payments):
    payment = charged(payments)
    refund(payments, payment, 1000, "RET-1")

    rest = refund(payments, payment)
    rest_again = refund(payments, payment)  # the compensation retried: a new message id
    more = refund(payments, payment, 1, "RET-2")

    assert isinstance(rest, PaymentRefunded)
    assert rest.amount_cents == 2000
    assert rest_again == rest
    assert isinstance(more, PaymentRefundFailed)
    assert more.code == "refund_exceeds_charge"
    assert payment_row(payments, payment) == ("refunded", 3000, 0)
    assert refund_rows(payments, payment) == [(1000, "RET-1"), (2000, None)]


def test_the_checkouts_refund_of_everything_is_made_once(payments):
    payment = charged(payments)

    first = refund(payments, payment)
    again = refund(payments, payment)

    assert isinstance(first, PaymentRefunded)
    assert first.amount_cents == 3000
    assert again == first
    assert payment_row(payments, payment) == ("refunded", 3000, 0)
    with payments.begin() as conn:
        trail = payment_store.order_trail(conn, payment.order_id)
    assert [entry["what"] for entry in trail] == ["charged", "refunded"]
    assert trail[1]["detail"] == f"30.00 EUR ({payment.payment_id}, {first.refund_id})"


def test_a_payment_refunded_before_refunds_had_rows_answers_with_that_refund(payments):
    """A row as the one-refund-per-payment code left it: refunded in full, the refund's
    id on the payment row. The checkout's refund, sent again, finds that refund."""
    payment = charged(payments)
    with payments.begin() as conn:
        conn.execute(
            update(payment_store.payments)
            .where(payment_store.payments.c.payment_id == payment.payment_id)
            .values(
                status="refunded",
                refunded_cents=3000,
                refund_reference="re_earlier",
                refunded_at=datetime.now(UTC),
            )
        )

    again = refund(payments, payment)
    partial = refund(payments, payment, 1, "RET-1")

    assert isinstance(again, PaymentRefunded)
    assert (again.refund_id, again.amount_cents) == ("re_earlier", 3000)
    assert isinstance(partial, PaymentRefundFailed)
    assert partial.code == "refund_exceeds_charge"
    assert refund_rows(payments, payment) == []
    with payments.begin() as conn:
        trail = payment_store.order_trail(conn, payment.order_id)
    assert [entry["what"] for entry in trail] == ["charged", "refunded"]


def test_an_amount_without_a_reference_is_refunded_once_per_message(payments):
    payment = charged(payments)

    first = refund(payments, payment, 1000)
    second = refund(payments, payment, 1000)

    assert isinstance(first, PaymentRefunded)
    assert isinstance(second, PaymentRefunded)
    assert first.refund_id != second.refund_id
    assert payment_row(payments, payment) == ("partially_refunded", 2000, 1000)


def test_a_refused_refund_records_nothing_and_can_be_tried_again(payments):
    payment = charged(payments, token="tok_refund_fails")

    refused = refund(payments, payment, 1000, "RET-1")
    refused_again = refund(payments, payment, 1000, "RET-1")

    assert isinstance(refused, PaymentRefundFailed)
    assert refused.code == "processor_error"
    assert refused_again == refused
    assert payment_row(payments, payment) == ("charged", 0, 3000)
    assert refund_rows(payments, payment) == []


def test_a_refund_of_a_payment_not_charged_fails(payments):
    order_id = unique("ord")
    charge = ChargePayment(
        order_id=order_id, amount_cents=3000, currency="EUR", payment_token="tok_timeout"
    )
    unknown = send(payments, PAYMENT, charge)
    assert isinstance(unknown, PaymentOutcomeUnknown)
    missing = RefundPayment(order_id=order_id, payment_id="pay_nope", amount_cents=1)

    not_charged = send(
        payments,
        PAYMENT,
        RefundPayment(order_id=order_id, payment_id=unknown.payment_id, amount_cents=1),
    )

    assert isinstance(not_charged, PaymentRefundFailed)
    assert not_charged.code == "payment_not_charged"
    assert send(payments, PAYMENT, missing).code == "payment_not_found"


def test_a_free_order_is_refunded_without_the_network(payments):
    payment = charged(payments, amount_cents=0)

    first = refund(payments, payment)

    assert isinstance(first, PaymentRefunded)
    assert first.amount_cents == 0
    assert refund(payments, payment) == first
    assert payment_row(payments, payment) == ("refunded", 0, 0)


class SlowCardNetwork(FakeCardNetwork):
    """Takes its time over a refund, so that a second refund arrives meanwhile."""

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Declined:
        time.sleep(0.3)
        return super().refund(authorization, amount_cents, reference)


def refund_concurrently(
    engine: Engine, payment: PaymentCharged, *refunds: tuple[int, str]
) -> list[Any]:
    handler = PaymentHandlers(SlowCardNetwork())

    def one(amount_and_reference: tuple[int, str]) -> Any:
        amount, reference = amount_and_reference
        command = RefundPayment(
            order_id=payment.order_id,
            payment_id=payment.payment_id,
            amount_cents=amount,
            reference=reference,
        )
        return send(engine, handler, command)

    with ThreadPoolExecutor(len(refunds)) as pool:
        return list(pool.map(one, refunds))


def test_concurrent_refunds_never_give_back_more_than_was_charged(payments):
    payment = charged(payments)

    replies = refund_concurrently(payments, payment, (2000, "RET-1"), (2000, "RET-2"))

    assert sorted(type(reply).__name__ for reply in replies) == [
        "PaymentRefundFailed",
        "PaymentRefunded",
    ]
    assert payment_row(payments, payment) == ("partially_refunded", 2000, 1000)


def test_concurrent_refunds_under_one_reference_make_one_refund(payments):
    payment = charged(payments)

    first, second = refund_concurrently(payments, payment, (1000, "RET-1"), (1000, "RET-1"))

    assert isinstance(first, PaymentRefunded)
    assert second == first
    assert refund_rows(payments, payment) == [(1000, "RET-1")]


# --- shipping: return labels -------------------------------------------------------------


@pytest.fixture
def shipping(store: StoreFactory) -> Engine:
    return store(shipping_store.metadata)


SHIPPING = ShippingHandlers(FakeCarrier())
ADDRESS = ShippingAddress(
    name="Ada Lovelace", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
)
LINES = [StockLine(sku="SKU-1", quantity=2)]


def create_label(
    engine: Engine, return_id: str, order_id: str = "ord-1", postal_code: str = "N1 9GU"
) -> Any:
    address = ADDRESS.model_copy(update={"postal_code": postal_code})
    command = CreateReturnLabel(
        return_id=return_id, order_id=order_id, address=address, items=LINES
    )
    return send(engine, SHIPPING, command)


def void_label(engine: Engine, return_id: str, label_id: str) -> Any:
    command = VoidReturnLabel(return_id=return_id, order_id="ord-1", label_id=label_id)
    return send(engine, SHIPPING, command)


def label_rows(engine: Engine, return_id: str) -> list[tuple[str, str, bool]]:
    with engine.begin() as conn:
        rows = conn.execute(
            select(shipping_store.return_labels).where(
                shipping_store.return_labels.c.return_id == return_id
            )
        ).all()
    return [(row.label_id, row.status, row.voided_at is not None) for row in rows]


def test_a_return_label_asked_for_twice_is_made_once(shipping):
    return_id = unique("RET")

    first = create_label(shipping, return_id)
    again = create_label(shipping, return_id)

    assert isinstance(first, ReturnLabelCreated)
    assert (first.return_id, first.order_id, first.carrier) == (return_id, "ord-1", "fake-post")
    assert again == first
    assert label_rows(shipping, return_id) == [(first.label_id, "created", False)]


def test_a_label_voided_twice_is_voided_once_and_not_made_again(shipping):
    return_id = unique("RET")
    label = create_label(shipping, return_id)

    voided = void_label(shipping, return_id, label.label_id)
    voided_again = void_label(shipping, return_id, label.label_id)
    created_again = create_label(shipping, return_id)

    expected = ReturnLabelVoided(return_id=return_id, order_id="ord-1", label_id=label.label_id)
    assert voided == voided_again == expected
    assert label_rows(shipping, return_id) == [(label.label_id, "voided", True)]
    assert isinstance(created_again, ReturnLabelRefused)
    assert created_again.code == "return_label_voided"
    with shipping.begin() as conn:
        trail = shipping_store.order_trail(conn, "ord-1")
    assert [entry["what"] for entry in trail] == ["return label created", "return label voided"]


def test_voiding_an_unknown_label_is_answered_as_voided(shipping):
    return_id = unique("RET")

    assert void_label(shipping, return_id, "rl_nope") == ReturnLabelVoided(
        return_id=return_id, order_id="ord-1", label_id="rl_nope"
    )
    assert label_rows(shipping, return_id) == []


def test_a_refused_return_label_records_nothing(shipping):
    return_id = unique("RET")

    refused = create_label(shipping, return_id, postal_code="00000")

    assert refused == ReturnLabelRefused(
        return_id=return_id,
        order_id="ord-1",
        code="return_refused",
        reason="fake-post refuses return labels from postal code 00000",
    )
    assert label_rows(shipping, return_id) == []


# --- inventory: restocks -----------------------------------------------------------------


@pytest.fixture
def inventory(store: StoreFactory) -> Engine:
    return store(inventory_store.metadata)


def restock(engine: Engine, return_id: str, items: list[StockLine]) -> Any:
    command = RestockInventory(return_id=return_id, order_id="ord-1", items=items)
    return send(engine, inventory_handlers.handle, command)


def levels(engine: Engine, *skus: str) -> dict[str, int]:
    stock = inventory_store.stock
    with engine.begin() as conn:
        rows = conn.execute(select(stock.c.sku, stock.c.available).where(stock.c.sku.in_(skus)))
        return {row.sku: row.available for row in rows}


def test_a_restock_sent_twice_raises_stock_once(inventory):
    known, new = unique("SKU"), unique("SKU")
    with inventory.begin() as conn:
        inventory_store.set_level(conn, known, 5)
    return_id = unique("RET")
    items = [StockLine(sku=known, quantity=2), StockLine(sku=new, quantity=3)]

    first = restock(inventory, return_id, items)
    again = restock(inventory, return_id, items)  # a new message id
    other_lines = restock(inventory, return_id, [StockLine(sku=known, quantity=9)])

    assert first == InventoryRestocked(return_id=return_id, order_id="ord-1", items=items)
    assert again == other_lines == first
    assert levels(inventory, known, new) == {known: 7, new: 3}
    with inventory.begin() as conn:
        count = conn.execute(select(func.count()).select_from(inventory_store.restocks))
        trail = inventory_store.order_trail(conn, "ord-1")
        assert count.scalar_one() == 1
    assert trail == [
        {
            "at": trail[0]["at"],
            "what": "restocked",
            "detail": f"2 x {known}, 3 x {new} (return {return_id})",
        }
    ]


def test_restocks_of_two_returns_both_count(inventory):
    sku = unique("SKU")

    restock(inventory, unique("RET"), [StockLine(sku=sku, quantity=1)])
    restock(inventory, unique("RET"), [StockLine(sku=sku, quantity=4)])

    assert levels(inventory, sku) == {sku: 5}
