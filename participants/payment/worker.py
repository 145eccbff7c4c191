"""The payment worker: ``celery -A participants.payment.worker worker -Q payment``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import register_inbound_task
from messaging.service_app import ServiceApp
from participants.payment import store
from participants.payment.card_network import FakeCardNetwork
from participants.payment.handlers import PaymentHandlers

app = ServiceApp("payment", store.metadata)
handle_message = register_inbound_task(
    app, PaymentHandlers(FakeCardNetwork()), resend_on_duplicate=True
)


@app.task(name="payment.get_payments", ignore_result=False)
def get_payments(order_id: str) -> dict[str, Any]:
    with app.engine.begin() as conn:
        return store.payments_of(conn, order_id)


@app.task(name="payment.order_trail", ignore_result=False)
def order_trail(order_id: str) -> list[dict[str, Any]]:
    """What payment did for an order, with times: for `sagactl history`."""
    with app.engine.begin() as conn:
        payments = store.payments_of(conn, order_id)["payments"]
    trail = []
    for p in payments:
        money = f"{p['amount_cents'] / 100:.2f} {p['currency']} ({p['payment_id']})"
        what = {"unknown": "charge outcome unknown", "declined": "charge declined"}.get(
            p["status"], "charged"
        )
        trail.append({"at": p["charged_at"], "what": what, "detail": money})
        if p["refunded_at"]:
            trail.append({"at": p["refunded_at"], "what": "refunded", "detail": money})
    return trail
