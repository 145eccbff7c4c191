"""Shipping's command handlers: thin adapters from messages to rules and store."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.shipping import (
    CreateReturnLabel,
    CreateShipment,
    ReturnLabelCreated,
    ReturnLabelRefused,
    ReturnLabelVoided,
    ShipmentCreated,
    ShipmentFailed,
    VoidReturnLabel,
)
from messaging.outbox import OutgoingMessage
from messaging.refusal import Refusal
from messaging.replies import reply_to
from participants.shipping import rules, store


class ShippingHandlers:
    def __init__(self, carrier: rules.Carrier) -> None:
        self.carrier = carrier

    def __call__(self, conn: Connection, message: Message[Payload]) -> Sequence[OutgoingMessage]:
        command = message.payload
        if isinstance(command, CreateShipment):
            return [reply_to(message, self.create(conn, command))]
        if isinstance(command, CreateReturnLabel):
            return [reply_to(message, self.create_return_label(conn, command))]
        if isinstance(command, VoidReturnLabel):
            return [reply_to(message, self.void_return_label(conn, command))]
        raise TypeError(f"shipping does not handle {message.type}")

    def create(self, conn: Connection, command: CreateShipment) -> Payload:
        address = command.address
        destination = _destination(address)
        units = sum(item.quantity for item in command.items)
        outcome = rules.create_shipment(self.carrier, destination, units)
        if isinstance(outcome, Refusal):
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

    def create_return_label(self, conn: Connection, command: CreateReturnLabel) -> Payload:
        existing = store.return_label_of(conn, command.return_id)
        units = sum(item.quantity for item in command.items)
        outcome = rules.create_return_label(
            self.carrier, _destination(command.address), units, existing
        )
        if isinstance(outcome, Refusal):
            return ReturnLabelRefused(
                return_id=command.return_id,
                order_id=command.order_id,
                code=outcome.code,
                reason=outcome.reason,
            )
        if isinstance(outcome, rules.ReturnLabel):
            label = outcome  # the return asked again: its first label
        else:
            label = rules.ReturnLabel(
                label_id=f"rl_{uuid.uuid4().hex[:16]}",
                return_id=command.return_id,
                carrier=outcome.carrier,
                tracking_number=outcome.tracking_number,
                status="created",
            )
            store.add_return_label(conn, label, command.order_id)
        return ReturnLabelCreated(
            return_id=command.return_id,
            order_id=command.order_id,
            label_id=label.label_id,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
        )

    def void_return_label(self, conn: Connection, command: VoidReturnLabel) -> Payload:
        label = store.return_label(conn, command.label_id, command.return_id)
        if rules.void_return_label(self.carrier, label):
            store.mark_voided(conn, command.label_id)
        return ReturnLabelVoided(
            return_id=command.return_id, order_id=command.order_id, label_id=command.label_id
        )


def _destination(address: ShippingAddress) -> rules.Destination:
    return rules.Destination(
        address.name, address.line1, address.city, address.postal_code, address.country
    )
