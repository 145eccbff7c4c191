"""Read tasks of the CRM reactor: ``reactor.crm.get_customer(customer_id)`` with the
customer's history, and ``reactor.crm.order_trail(order_id)``."""

from __future__ import annotations

from typing import Any

from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from reactors.crm import store


def register(app: ServiceApp) -> None:
    register_order_trail(app, store.order_trail)

    @app.task(name="reactor.crm.get_customer", ignore_result=False)
    def get_customer(customer_id: str) -> dict[str, Any] | None:
        with app.engine.begin() as conn:
            return store.customer(conn, customer_id)
