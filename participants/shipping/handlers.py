"""Shipping's command handlers: thin adapters from messages to rules, store and the
carrier they are built with, declared in one registry (``registry``)."""

from __future__ import annotations

import uuid

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
from messaging.handlers import Registry, replying
from messaging.refusal import Refusal
from participants.shipping import choice, rules, store


def registry(
    carrier: rules.Carrier, *, home_country: str = choice.DEFAULT_HOME_COUNTRY
) -> Registry:
    """Shipping's commands and their handlers, on ``carrier``, choosing carriers from
    ``home_country``; any other type is parked."""
    shipping = ShippingHandlers(carrier, home_country=home_country)
    return Registry(
        "shipping",
        {
            CreateShipment: replying(shipping.create),
            CreateReturnLabel: replying(shipping.create_return_label),
            VoidReturnLabel: replying(shipping.void_return_label),
        },
    )


class ShippingHandlers:
    """The handlers that talk to the carrier, built with it and the home country."""

    def __init__(self, carrier: rules.Carrier, *, home_country: str) -> None:
        self.carrier = carrier
        self.home_country = home_country

    def create(self, conn: Connection, message: Message[CreateShipment]) -> Payload:
        command = message.payload
        address = command.address
        lines = [(item.sku, item.quantity) for item in command.items]
        outcome = rules.create_shipment(
            self.carrier, _destination(address), lines, home_country=self.home_country
        )
        if isinstance(outcome, Refusal):
            return ShipmentFailed(
                order_id=command.order_id, code=outcome.code, reason=outcome.reason
            )
        shipment_id = f"shp_{uuid.uuid4().hex[:16]}"
        store.add_shipment(
            conn,
            shipment_id,
            order_id=command.order_id,
            carrier=outcome.carrier,
            tracking_number=outcome.tracking_number,
            address=address.model_dump(mode="json"),
            items=[item.model_dump(mode="json") for item in command.items],
            weight_grams=outcome.weight_grams,
        )
        return ShipmentCreated(
            order_id=command.order_id,
            shipment_id=shipment_id,
            carrier=outcome.carrier,
            tracking_number=outcome.tracking_number,
        )

    def create_return_label(self, conn: Connection, message: Message[CreateReturnLabel]) -> Payload:
        command = message.payload
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

    def void_return_label(self, conn: Connection, message: Message[VoidReturnLabel]) -> Payload:
        command = message.payload
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
