"""Every message type we know, by name. One name, one schema."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from messaging.contracts.base import Payload
from messaging.contracts.events import OrderCancelled, OrderConfirmed
from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    InventoryRestocked,
    ReleaseInventory,
    ReserveInventory,
    RestockInventory,
)
from messaging.contracts.payment import (
    ChargePayment,
    CheckPaymentStatus,
    PaymentCharged,
    PaymentDeclined,
    PaymentOutcomeUnknown,
    PaymentRefunded,
    PaymentRefundFailed,
    RefundPayment,
)
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

ALL_PAYLOADS: tuple[type[Payload], ...] = (
    ReserveInventory,
    InventoryReserved,
    InventoryReservationFailed,
    ReleaseInventory,
    InventoryReleased,
    RestockInventory,
    InventoryRestocked,
    ChargePayment,
    PaymentCharged,
    PaymentDeclined,
    RefundPayment,
    PaymentRefunded,
    PaymentRefundFailed,
    PaymentOutcomeUnknown,
    CheckPaymentStatus,
    CreateShipment,
    ShipmentCreated,
    ShipmentFailed,
    CreateReturnLabel,
    ReturnLabelCreated,
    ReturnLabelRefused,
    VoidReturnLabel,
    ReturnLabelVoided,
    OrderConfirmed,
    OrderCancelled,
)

MESSAGE_TYPES: Mapping[str, type[Payload]] = MappingProxyType(
    {cls.message_type: cls for cls in ALL_PAYLOADS}
)


class UnknownMessageType(LookupError):
    pass


def payload_class(message_type: str) -> type[Payload]:
    try:
        return MESSAGE_TYPES[message_type]
    except KeyError:
        raise UnknownMessageType(f"unknown message type {message_type!r}") from None
