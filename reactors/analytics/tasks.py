"""Read tasks: ``reactor.analytics.daily_totals(day=None)``, ``.order_facts(order_id)``."""

from __future__ import annotations

from datetime import date
from typing import Any

from messaging.service_app import ServiceApp
from reactors.analytics import store


def register(app: ServiceApp) -> None:
    @app.task(name="reactor.analytics.daily_totals", ignore_result=False)
    def daily_totals(day: str | None = None) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.totals(conn, date.fromisoformat(day) if day else None)

    @app.task(name="reactor.analytics.order_trail", ignore_result=False)
    def order_trail(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            facts = store.facts_for(conn, order_id)
        return [
            {
                "at": f["occurred_at"],
                "what": f"fact recorded: {f['outcome']}",
                "detail": f"{f['total_cents'] / 100:.2f} {f['currency']} on {f['day']}",
            }
            for f in facts
        ]

    @app.task(name="reactor.analytics.order_facts", ignore_result=False)
    def order_facts(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.facts_for(conn, order_id)
