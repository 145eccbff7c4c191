"""Shipping commands and their replies."""

from __future__ import annotations

from pydantic import Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.inventory import StockLine
from messaging.contracts.orders import Identifier, ShippingAddress


class CreateShipment(Payload):
    message_type = "CreateShipment"
    kind = MessageKind.COMMAND

    order_id: Identifier
    address: ShippingAddress
    items: list[StockLine] = Field(min_length=1)


class ShipmentCreated(Payload):
    message_type = "ShipmentCreated"
    kind = MessageKind.REPLY

    order_id: Identifier
    shipment_id: str
    carrier: str
    tracking_number: str


class ShipmentFailed(Payload):
    message_type = "ShipmentFailed"
    kind = MessageKind.REPLY

    order_id: Identifier
    code: str
    reason: str


MESSAGES: tuple[type[Payload], ...] = (
    CreateShipment,
    ShipmentCreated,
    ShipmentFailed,
)
