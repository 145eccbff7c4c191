"""The fraud worker: ``celery -A participants.fraud.worker worker -Q fraud``."""

from __future__ import annotations

from typing import Any

from messaging.consumer import PARTICIPANT, register_inbound_task
from messaging.handlers import PerProcess
from messaging.order_trail import register_order_trail
from messaging.service_app import ServiceApp
from participants.fraud import bootstrap, migrations, store

# The scorer is built in each worker process (after fork), and once at start: a bad
# FRAUD_SCORER or FRAUD_REJECT_SCORE stops the worker there, naming the variable.
handlers = PerProcess(bootstrap.registry)
app = ServiceApp("fraud", migrations.SCHEMA, at_start=(handlers.built,))
handle_message = register_inbound_task(app, handlers, PARTICIPANT)


@app.task(name="fraud.get_screenings", ignore_result=False)
def get_screenings(order_id: str) -> list[dict[str, Any]]:
    """An order's screening (none or one): score, threshold, verdict, reasons, time."""
    with app.engine.begin() as conn:
        return store.screenings_of(conn, order_id)


# What this service did for an order, with times: for `sagactl history` and the web view.
order_trail = register_order_trail(app, store.order_trail)
