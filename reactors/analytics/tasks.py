"""Read tasks: ``reactor.analytics.daily_totals(day=None)``, ``.order_facts(order_id)``,
``.refunds_per_day(day=None)``."""

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

    @app.task(name="reactor.analytics.refunds_per_day", ignore_result=False)
    def refunds_per_day(day: str | None = None) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.refunds(conn, date.fromisoformat(day) if day else None)

    @app.task(name="reactor.analytics.order_trail", ignore_result=False)
    def order_trail(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            facts = store.facts_for(conn, order_id)
            returns = store.return_facts_for(conn, order_id)
        trail = [
            {
                "at": f["occurred_at"],
                "what": f"fact recorded: {f['outcome']}",
                "detail": f"{f['total_cents'] / 100:.2f} {f['currency']} on {f['day']}",
            }
            for f in facts
        ] + [
            {
                "at": r["occurred_at"],
                "what": f"return fact recorded: {r['outcome']}",
                "detail": f"return {r['return_id']}: refund "
                f"{r['refund_cents'] / 100:.2f} {r['currency']} on {r['day']}",
            }
            for r in returns
        ]
        return sorted(trail, key=lambda entry: entry["at"])

    @app.task(name="reactor.analytics.order_facts", ignore_result=False)
    def order_facts(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.facts_for(conn, order_id)
