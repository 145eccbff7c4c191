"""Read tasks of the email reactor: ``reactor.email.sent_emails(order_id)`` and
``reactor.email.order_trail(order_id)``."""

from __future__ import annotations

from typing import Any

from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from reactors.email import store


def register(app: ServiceApp) -> None:
    register_order_trail(app, store.order_trail)

    @app.task(name="reactor.email.sent_emails", ignore_result=False)
    def sent_emails(order_id: str) -> list[dict[str, Any]]:
        with app.engine.begin() as conn:
            return store.sent_for(conn, order_id)
