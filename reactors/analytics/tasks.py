"""Read tasks: ``reactor.analytics.daily_totals(day=None)``, ``.order_facts(order_id)``,
``.refunds_per_day(day=None)`` and ``.order_trail(order_id)``."""

from __future__ import annotations

from datetime import date
from typing import Any

from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from reactors.analytics import store


def register(app: ServiceApp) -> None:
    @app.task(name="reactor.analytics.daily_totals", ignore_result=False)
    def daily_totals(day: str | None = None) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.totals(conn, date.fromisoformat(day) if day else None)

    @app.task(name="reactor.analytics.refunds_per_day", ignore_result=False)
    def refunds_per_day(day: str | None = None) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.refunds(conn, date.fromisoformat(day) if day else None)

    register_order_trail(app, store.order_trail)

    @app.task(name="reactor.analytics.order_facts", ignore_result=False)
    def order_facts(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.facts_for(conn, order_id)
