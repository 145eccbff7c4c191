"""The payment worker: ``celery -A participants.payment.worker worker -Q payment``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.handlers import PerProcess
from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from participants.payment import bootstrap, migrations, store

# The card network is built in each worker process (after fork), and once at start: a bad
# PAYMENT_CARD_NETWORK stops the worker there, naming the variable.
handlers = PerProcess(bootstrap.registry)
app = ServiceApp("payment", migrations.SCHEMA, at_start=(handlers.built,))
handle_message = register_inbound_task(app, handlers, PARTICIPANT)


@app.task(name="payment.get_payments", ignore_result=False)
def get_payments(order_id: str) -> dict[str, Any]:
    with app.engine.begin() as conn:
        return store.payments_of(conn, order_id)


@app.task(name="payment.get_refunds", ignore_result=False)
def get_refunds(order_id: str) -> list[dict[str, Any]]:
    """Every refund of an order's payments: id, amount, the sender's reference."""
    with app.engine.begin() as conn:
        return store.refunds_of(conn, order_id)


# What this service did for an order, with times: for `sagactl history` and the web view.
order_trail = register_order_trail(app, store.order_trail)
