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


class CreateReturnLabel(Payload):
    """A prepaid label for goods sent back from ``address``. One label per ``return_id``:
    the same return asked again answers with its first label."""

    message_type = "CreateReturnLabel"
    kind = MessageKind.COMMAND

    return_id: Identifier
    order_id: Identifier
    address: ShippingAddress
    items: list[StockLine] = Field(min_length=1)


class ReturnLabelCreated(Payload):
    message_type = "ReturnLabelCreated"
    kind = MessageKind.REPLY

    return_id: Identifier
    order_id: Identifier
    label_id: str
    carrier: str
    tracking_number: str


class ReturnLabelRefused(Payload):
    message_type = "ReturnLabelRefused"
    kind = MessageKind.REPLY

    return_id: Identifier
    order_id: Identifier
    code: str
    reason: str


class VoidReturnLabel(Payload):
    """Cancel a return label. An unknown or already voided label is answered as voided."""

    message_type = "VoidReturnLabel"
    kind = MessageKind.COMMAND

    return_id: Identifier
    order_id: Identifier
    label_id: str


class ReturnLabelVoided(Payload):
    message_type = "ReturnLabelVoided"
    kind = MessageKind.REPLY

    return_id: Identifier
    order_id: Identifier
    label_id: str


MESSAGES: tuple[type[Payload], ...] = (
    CreateShipment,
    ShipmentCreated,
    ShipmentFailed,
    CreateReturnLabel,
    ReturnLabelCreated,
    ReturnLabelRefused,
    VoidReturnLabel,
    ReturnLabelVoided,
)
