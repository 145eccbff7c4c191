"""Inventory commands and their replies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import Identifier


class StockLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: Identifier
    quantity: int = Field(gt=0)


class ReserveInventory(Payload):
    message_type = "ReserveInventory"
    kind = MessageKind.COMMAND

    order_id: Identifier
    items: list[StockLine] = Field(min_length=1)


class InventoryReserved(Payload):
    message_type = "InventoryReserved"
    kind = MessageKind.REPLY

    order_id: Identifier
    reservation_id: str
    items: list[StockLine]


class InventoryReservationFailed(Payload):
    message_type = "InventoryReservationFailed"
    kind = MessageKind.REPLY

    order_id: Identifier
    code: str
    reason: str


class ReleaseInventory(Payload):
    message_type = "ReleaseInventory"
    kind = MessageKind.COMMAND

    order_id: Identifier
    reservation_id: str


class InventoryReleased(Payload):
    message_type = "InventoryReleased"
    kind = MessageKind.REPLY

    order_id: Identifier
    reservation_id: str
    items: list[StockLine]


class RestockInventory(Payload):
    """Put goods that came back on the shelf. Once per ``return_id``: the same return
    asked again answers with its first restock and adds nothing."""

    message_type = "RestockInventory"
    kind = MessageKind.COMMAND

    return_id: Identifier
    order_id: Identifier
    items: list[StockLine] = Field(min_length=1)


class InventoryRestocked(Payload):
    message_type = "InventoryRestocked"
    kind = MessageKind.REPLY

    return_id: Identifier
    order_id: Identifier
    items: list[StockLine]


MESSAGES: tuple[type[Payload], ...] = (
    ReserveInventory,
    InventoryReserved,
    InventoryReservationFailed,
    ReleaseInventory,
    InventoryReleased,
    RestockInventory,
    InventoryRestocked,
)
