"""Shipping's command handler: a thin adapter from messages to rules and store."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.shipping import CreateShipment, ShipmentCreated, ShipmentFailed
from messaging.outbox import OutgoingMessage
from messaging.replies import reply_to
from participants.shipping import rules, store


class ShippingHandlers:
    def __init__(self, carrier: rules.Carrier) -> None:
        self.carrier = carrier

    def __call__(self, conn: Connection, message: Message[Payload]) -> Sequence[OutgoingMessage]:
        command = message.payload
        if isinstance(command, CreateShipment):
            return [reply_to(message, self.create(conn, command))]
        raise TypeError(f"shipping does not handle {message.type}")

    def create(self, conn: Connection, command: CreateShipment) -> Payload:
        address = command.address
        destination = rules.Destination(
            address.name, address.line1, address.city, address.postal_code, address.country
        )
        units = sum(item.quantity for item in command.items)
        outcome = rules.create_shipment(self.carrier, destination, units)
        if isinstance(outcome, rules.Refusal):
            return ShipmentFailed(
                order_id=command.order_id, code=outcome.code, reason=outcome.reason
            )
        shipment_id = f"shp_{uuid.uuid4().hex[:16]}"
        store.add_shipment(
            conn,
            shipment_id,
            command.order_id,
            outcome.carrier,
            outcome.tracking_number,
            address.model_dump(mode="json"),
            [item.model_dump(mode="json") for item in command.items],
        )
        return ShipmentCreated(
            order_id=command.order_id,
            shipment_id=shipment_id,
            carrier=outcome.carrier,
            tracking_number=outcome.tracking_number,
        )
