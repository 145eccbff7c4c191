"""One row per event, in the reactor's own transaction."""

import os

from sqlalchemy import Connection, insert

from loyalty.store import points
from messaging.codec import Message
from messaging.contracts import Payload
from messaging.reactors import EventHandler
from sagas.checkout.events import OrderCancelled, OrderConfirmed


def build() -> EventHandler:
    # Called once per worker process, before its first event: read settings here.
    per_unit = int(os.environ.get("LOYALTY_POINTS_PER_UNIT", "1"))

    def handle(conn: Connection, message: Message[Payload]) -> None:
        event = message.payload
        if not isinstance(event, (OrderConfirmed, OrderCancelled)):
            raise TypeError(f"loyalty does not handle {message.type}")
        earned = event.total_cents // 100 * per_unit if isinstance(event, OrderConfirmed) else 0
        conn.execute(
            insert(points).values(
                event_id=message.envelope.message_id,
                customer_id=event.customer.id,
                order_id=event.order_id,
                event_type=message.type,
                points=earned,
                earned_at=message.envelope.occurred_at,
            )
        )

    return handle
