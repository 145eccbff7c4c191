"""Read task of the email reactor: ``reactor.email.sent_emails(order_id)``."""

from __future__ import annotations

from typing import Any

from messaging.service_app import ServiceApp
from reactors.email import store


def register(app: ServiceApp) -> None:
    @app.task(name="reactor.email.order_trail", ignore_result=False)
    def order_trail(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            sent = store.sent_for(conn, order_id)
        return [
            {"at": s["sent_at"], "what": f"{s['kind']} email sent", "detail": s["recipient"]}
            for s in sent
        ]

    @app.task(name="reactor.email.sent_emails", ignore_result=False)
    def sent_emails(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.sent_for(conn, order_id)
