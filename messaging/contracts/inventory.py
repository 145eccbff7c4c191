"""Inventory commands and their replies."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.orders import Identifier


class StockLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: Identifier
    quantity: int = Field(gt=0)


def _reserve_one_to_two(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "allow_partial": False}


def _reserve_two_to_one(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 inventory reserves all or none: an order that allows a partial
    reservation is then reserved whole or refused, never wrongly."""
    return {key: value for key, value in data.items() if key != "allow_partial"}


class ReserveInventory(Payload):
    """Reserve every line, or none (``InventoryReservationFailed``). With
    ``allow_partial`` inventory reserves what it has of each line instead
    (``InventoryPartiallyReserved``); it refuses only when it has none of any line."""

    message_type = "ReserveInventory"
    kind = MessageKind.COMMAND
    schema_version = 2
    upcasters = MappingProxyType({1: _reserve_one_to_two})
    downcasters = MappingProxyType({1: _reserve_two_to_one})
    changes = MappingProxyType(
        {2: "adds allow_partial (false when absent): reserve what is in stock of each line"}
    )

    order_id: Identifier
    items: list[StockLine] = Field(min_length=1)
    allow_partial: bool = Field(default=False, strict=True)


class InventoryReserved(Payload):
    message_type = "InventoryReserved"
    kind = MessageKind.REPLY

    order_id: Identifier
    reservation_id: str
    items: list[StockLine]


class InventoryPartiallyReserved(Payload):
    """Some of the order is reserved: ``items`` holds what was (a line may be reserved for
    less than asked), ``missing`` what was not, line by line."""

    message_type = "InventoryPartiallyReserved"
    kind = MessageKind.REPLY

    order_id: Identifier
    reservation_id: str
    items: list[StockLine] = Field(min_length=1)
    missing: list[StockLine] = Field(min_length=1)


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
    InventoryPartiallyReserved,
    InventoryReservationFailed,
    ReleaseInventory,
    InventoryReleased,
    RestockInventory,
    InventoryRestocked,
)
