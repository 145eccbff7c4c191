"""The shipping worker: ``celery -A participants.shipping.worker worker -Q shipping``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.handlers import PerProcess
from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from participants.shipping import bootstrap, migrations, store

# The carrier is built in each worker process (after fork), and once at start: a bad
# SHIPPING_CARRIER stops the worker there, naming the variable.
handlers = PerProcess(bootstrap.registry)
app = ServiceApp("shipping", migrations.SCHEMA, at_start=(handlers.built,))
handle_message = register_inbound_task(app, handlers, PARTICIPANT)


@app.task(name="shipping.get_shipments", ignore_result=False)
def get_shipments(order_id: str) -> list[dict[str, Any]]:
    with app.engine.begin() as conn:
        return store.shipments_of(conn, order_id)


@app.task(name="shipping.get_return_labels", ignore_result=False)
def get_return_labels(order_id: str) -> list[dict[str, Any]]:
    """Every return label of an order: its return, tracking number, created or voided."""
    with app.engine.begin() as conn:
        return store.return_labels_of(conn, order_id)


# What this service did for an order, with times: for `sagactl history` and the web view.
order_trail = register_order_trail(app, store.order_trail)
