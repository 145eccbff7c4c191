"""Read task: ``reactor.crm.get_customer(customer_id)`` with the customer's history."""

from __future__ import annotations

from typing import Any

from messaging.service_app import ServiceApp
from reactors.crm import store


def register(app: ServiceApp) -> None:
    @app.task(name="reactor.crm.order_trail", ignore_result=False)
    def order_trail(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            entries = store.entries_for_order(conn, order_id)
        return [
            {"at": e["at"], "what": f"customer history: {e['event']}", "detail": e["note"]}
            for e in entries
        ]

    @app.task(name="reactor.crm.get_customer", ignore_result=False)
    def get_customer(customer_id: str) -> dict[str, Any] | None:
        with app.engine.begin() as conn:
            return store.customer(conn, customer_id)
