"""Starting sagas on a real store (SQLite and PostgreSQL), without workers: idempotent per
(definition, business key), the admission check in the starting transaction, nothing
written when a start is refused, and two concurrent returns of the same lines admitted
one at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from messaging.outbox import add
from messaging.tables import metadata as platform_tables
from messaging.tables import outbox
from orchestrator import event_tables
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions
from orchestrator.saga_store import tables as saga_tables
from orchestrator.saga_store.tables import sagas as saga_table
from orchestrator.worker import validate_input
from tests.platform import order
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables.metadata, event_tables.metadata
    ) as built:
        yield built


def start(engine: Engine, definition: str, given: dict[str, Any]) -> actions.Started:
    saga = definitions()[definition]
    submitted = validate_input(saga, given, f"{definition} input")
    with engine.begin() as conn:
        started = actions.start(conn, saga, submitted, "corr-1", {})
        add(conn, started.outgoing)  # as the worker does: the commands commit with the start
        return started


def completed_checkout(engine: Engine, **lines: int) -> str:
    """A checkout saga as it is once completed (its replies are not what is tested here)."""
    submitted = order(sku="MUG", quantity=1)
    submitted["items"] = [
        {"sku": sku, "quantity": q, "unit_price_cents": 1000} for sku, q in lines.items()
    ]
    started = start(engine, "checkout", submitted)
    with engine.begin() as conn:
        row = conn.execute(select(saga_table.c.data).where(saga_table.c.saga_id == started.saga_id))
        data = {**row.scalar_one(), "payment_id": "pay_1"}
        conn.execute(
            update(saga_table)
            .where(saga_table.c.saga_id == started.saga_id)
            .values(status="completed", current_step=None, data=data)
        )
    return str(submitted["order_id"])


def a_return(order_id: str, return_id: str = "ret-1", **lines: int) -> dict[str, Any]:
    return {
        "return_id": return_id,
        "order_id": order_id,
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
        "reason": "does not fit",
    }


def count(engine: Engine, definition: str) -> int:
    with engine.begin() as conn:
        query = select(func.count()).where(saga_table.c.definition == definition)
        return int(conn.execute(query).scalar_one())


def commands(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        return [body["type"] for body in conn.execute(select(outbox.c.body)).scalars()]


def test_the_same_key_twice_is_the_same_saga_and_other_content_is_refused(engine: Engine):
    submitted = order(sku="MUG")
    first = start(engine, "checkout", submitted)
    again = start(engine, "checkout", submitted)
    assert (again.saga_id, again.created, first.created) == (first.saga_id, False, True)
    with pytest.raises(actions.StartRefused, match=r"order_id '.*' was already submitted with"):
        start(engine, "checkout", {**submitted, "payment_token": "tok_mastercard"})
    assert count(engine, "checkout") == 1


def test_an_input_that_fails_its_model_names_the_field(engine: Engine):
    with pytest.raises(ValueError, match=r"invalid returns input: lines\.0\.quantity: "):
        start(engine, "returns", a_return("ord-1", MUG=0))
    with pytest.raises(ValueError, match="invalid returns input: reason: Field required"):
        start(
            engine, "returns", {k: v for k, v in a_return("ord-1", MUG=1).items() if k != "reason"}
        )
    assert count(engine, "returns") == 0


def test_a_refused_return_starts_nothing_and_refunds_nothing(engine: Engine):
    with pytest.raises(actions.StartRefused, match="no order 'ord-missing'"):
        start(engine, "returns", a_return("ord-missing", MUG=1))
    running = start(engine, "checkout", order(sku="MUG"))
    with pytest.raises(actions.StartRefused, match="is running, not completed"):
        start(engine, "returns", a_return(running.business_key, MUG=1))
    assert count(engine, "returns") == 0
    assert "RefundPayment" not in commands(engine)


def test_a_return_starts_its_label_and_refund_together(engine: Engine):
    order_id = completed_checkout(engine, MUG=3, PEN=1)
    started = start(engine, "returns", a_return(order_id, MUG=2))
    assert started.created and started.business_key == "ret-1"
    assert sorted(commands(engine)) == [
        "CreateReturnLabel",
        "RefundPayment",
        "ReserveInventory",
        "ScreenOrder",
    ]
    with engine.begin() as conn:
        row = conn.execute(select(saga_table).where(saga_table.c.saga_id == started.saga_id)).one()
    assert (row.parent_key, row.data["refund_cents"]) == (order_id, 2000)
    with pytest.raises(
        actions.StartRefused, match="2 x MUG asked, but 3 were bought and 2 already"
    ):
        start(engine, "returns", a_return(order_id, "ret-2", MUG=2))
    assert start(engine, "returns", a_return(order_id, "ret-3", MUG=1)).created


def race(engine: Engine, order_id: str, return_ids: tuple[str, str]) -> list[str]:
    """Two returns of the order's 2 MUG started at the same moment: what each got."""
    outcomes: list[str] = []
    barrier = threading.Barrier(2, timeout=30)

    def attempt(return_id: str) -> None:
        barrier.wait()
        try:
            started = start(engine, "returns", a_return(order_id, return_id, MUG=2))
            outcomes.append(f"{started.saga_id} created={started.created}")
        except actions.StartRefused as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=attempt, args=(r,)) for r in return_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(outcomes)


def test_two_concurrent_returns_of_the_same_lines_admit_one(engine: Engine):
    order_id = completed_checkout(engine, MUG=2)
    outcomes = race(engine, order_id, ("ret-1", "ret-2"))
    admitted = [o for o in outcomes if o.endswith("created=True")]
    refused = [o for o in outcomes if "already returned (0 left)" in o]
    assert (len(admitted), len(refused)) == (1, 1), outcomes
    assert count(engine, "returns") == 1


def test_the_same_return_started_twice_at_once_is_one_saga(engine: Engine):
    """A client's retry racing its first attempt: both get the one saga, neither is
    refused by the lines the other just took."""
    order_id = completed_checkout(engine, MUG=2)
    outcomes = race(engine, order_id, ("ret-1", "ret-1"))
    assert [o.rsplit(" ", 1)[1] for o in outcomes] == ["created=False", "created=True"], outcomes
    assert outcomes[0].split()[0] == outcomes[1].split()[0]  # the same saga id
    assert count(engine, "returns") == 1
