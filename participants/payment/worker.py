"""The payment worker: ``celery -A participants.payment.worker worker -Q payment``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.service_app import ServiceApp
from participants.payment import handlers, store
from participants.payment.card_network import FakeCardNetwork

app = ServiceApp("payment", store.metadata)
handle_message = register_inbound_task(app, handlers.registry(FakeCardNetwork()), PARTICIPANT)


@app.task(name="payment.get_payments", ignore_result=False)
def get_payments(order_id: str) -> dict[str, Any]:
    with app.engine.begin() as conn:
        return store.payments_of(conn, order_id)


@app.task(name="payment.get_refunds", ignore_result=False)
def get_refunds(order_id: str) -> list[dict[str, Any]]:
    """Every refund of an order's payments: id, amount, the sender's reference."""
    with app.engine.begin() as conn:
        return store.refunds_of(conn, order_id)


@app.task(name="payment.order_trail", ignore_result=False)
def order_trail(order_id: str) -> list[dict[str, Any]]:
    """What payment did for an order, with times: for `sagactl history`."""
    with app.engine.begin() as conn:
        return store.order_trail(conn, order_id)
