"""The inventory worker: ``celery -A participants.inventory.worker worker -Q inventory``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from participants.inventory import handlers, migrations, store

app = ServiceApp("inventory", migrations.SCHEMA)
# No adapter to choose: the registry is plain functions over the store, built here.
handle_message = register_inbound_task(app, handlers.registry(), PARTICIPANT)


@app.task(name="inventory.get_stock", ignore_result=False)
def get_stock(sku: str) -> dict[str, Any] | None:
    with app.engine.begin() as conn:
        return store.stock_view(conn, sku)


@app.task(name="inventory.set_stock", ignore_result=False)
def set_stock(sku: str, quantity: int) -> dict[str, Any] | None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise ValueError(f"quantity must be a non-negative integer, got {quantity!r}")
    with app.engine.begin() as conn:
        store.set_level(conn, sku, quantity)
        return store.stock_view(conn, sku)


@app.task(name="inventory.get_reservations", ignore_result=False)
def get_reservations(order_id: str) -> list[dict[str, Any]]:
    with app.engine.begin() as conn:
        return store.reservations_of(conn, order_id)


# What this service did for an order, with times: for `sagactl history` and the web view.
order_trail = register_order_trail(app, store.order_trail)
