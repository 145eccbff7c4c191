"""Checkout version 2: screen for fraud while the stock is reserved, charge what was
reserved, ship it with the carrier shipping chooses, confirm what was left out.

    reserve inventory  \\
                        > charge payment -> create shipment -> confirm
    screen for fraud   /

An order may say ``allow_partial``: inventory then reserves what it has
(``InventoryPartiallyReserved``), the card is charged for those lines only, only they are
shipped, and ``OrderConfirmed.left_out`` names the rest. A fraud verdict
(``FraudSuspected``) releases the reservation and the saga ends ``compensated`` with
``fraud_rejected``, before any review or charge. Any other failure is undone as in
version 1: refund, then release.

The saga data holds the submitted order under "order", the lines inventory reserved under
"reserved" (and what it could not under "missing"), and what the other replies told us.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from messaging.contracts.fraud import FraudSuspected, OrderScreened, ScreenOrder
from messaging.contracts.inventory import (
    InventoryPartiallyReserved,
    InventoryReservationFailed,
    InventoryReserved,
    ReserveInventory,
    StockLine,
)
from messaging.contracts.orders import OrderItem
from messaging.contracts.payment import (
    ChargePayment,
    PaymentCharged,
    PaymentDeclined,
    PaymentOutcomeUnknown,
)
from messaging.contracts.shipping import CreateShipment, ShipmentCreated, ShipmentFailed
from orchestrator.definition import (
    Admission,
    Approval,
    SagaData,
    SagaDefinition,
    Step,
    keep,
)
from sagas.checkout.bought import reserved_order, submitted
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.checkout.input import Order
from sagas.checkout.version_1 import (
    REFUND_CHARGE,
    RELEASE_STOCK,
    STEP_POLICY,
    admitted,
    cancelled,
    check_payment,
    stock_lines,
)

# The reservation and the fraud screening go out together; the charge waits for both.
SCREENING = "reserve_and_screen"


def reserve(data: SagaData) -> ReserveInventory:
    order = submitted(data)
    return ReserveInventory(
        order_id=order.order_id, items=stock_lines(order), allow_partial=order.allow_partial
    )


def _lines(lines: list[StockLine]) -> list[dict[str, Any]]:
    return [line.model_dump(mode="json") for line in lines]


def reserved_all(reply: InventoryReserved) -> Mapping[str, Any]:
    return {"reservation_id": reply.reservation_id, "reserved": _lines(reply.items)}


def reserved_some(reply: InventoryPartiallyReserved) -> Mapping[str, Any]:
    return {
        "reservation_id": reply.reservation_id,
        "reserved": _lines(reply.items),
        "missing": _lines(reply.missing),
    }


def screen(data: SagaData) -> ScreenOrder:
    """The order as submitted is screened: a partial reservation is not known yet."""
    order = submitted(data)
    return ScreenOrder(
        order_id=order.order_id,
        customer_id=order.customer.id,
        amount_cents=order.total_cents,
        currency=order.currency,
        country=order.shipping_address.country,
        payment_token=order.payment_token,
    )


def left_out(data: SagaData, order: Order) -> list[OrderItem]:
    """What a partial reservation could not serve, at the order's prices."""
    missing = {line["sku"]: int(line["quantity"]) for line in data.get("missing", [])}
    return [
        item.model_copy(update={"quantity": missing[item.sku]})
        for item in order.items
        if item.sku in missing
    ]


def charge(data: SagaData) -> ChargePayment:
    order = reserved_order(data)
    return ChargePayment(
        order_id=order.order_id,
        amount_cents=order.total_cents,
        currency=order.currency,
        payment_token=order.payment_token,
    )


def ship(data: SagaData) -> CreateShipment:
    order = reserved_order(data)
    return CreateShipment(
        order_id=order.order_id, address=order.shipping_address, items=stock_lines(order)
    )


def confirmed(data: SagaData, _failure: Mapping[str, str]) -> OrderConfirmed:
    order = reserved_order(data)
    return OrderConfirmed(
        order_id=order.order_id,
        customer=order.customer,
        items=order.items,
        total_cents=order.total_cents,
        currency=order.currency,
        payment_id=data["payment_id"],
        shipment_id=data["shipment_id"],
        tracking_number=data["tracking_number"],
        left_out=left_out(data, submitted(data)),
        carrier=data.get("carrier"),
    )


def needs_review(data: SagaData) -> bool:
    """What will be charged, at or above the threshold recorded when the saga started,
    waits for a human decision before the card is charged."""
    threshold = data.get("review_threshold_cents")
    return threshold is not None and reserved_order(data).total_cents >= int(threshold)


def summary(data: SagaData) -> Mapping[str, str]:
    """As version 1's, with the total of what was reserved once the reservation answered."""
    order = reserved_order(data)
    return {
        "customer": str(order.customer.id),
        "total": f"{order.total_cents / 100:.2f} {order.currency}",
    }


REVIEW = Approval(needed=needs_review, timeout=24 * 3600.0)

CHECKOUT_V2 = SagaDefinition(
    name="checkout",
    version=2,
    steps=(
        Step(
            name="reserve_inventory",
            service="inventory",
            command=reserve,
            success_on={
                InventoryReserved.message_type: reserved_all,
                InventoryPartiallyReserved.message_type: reserved_some,
            },
            failure_on=frozenset({InventoryReservationFailed.message_type}),
            compensation=RELEASE_STOCK,
            policy=STEP_POLICY,
            group=SCREENING,
        ),
        Step(
            name="screen_fraud",
            service="fraud",
            command=screen,
            success_on={
                OrderScreened.message_type: keep(screening_id="screening_id", fraud_score="score")
            },
            failure_on=frozenset({FraudSuspected.message_type}),
            policy=STEP_POLICY,
            group=SCREENING,
        ),
        Step(
            name="charge_payment",
            service="payment",
            command=charge,
            success_on={PaymentCharged.message_type: keep(payment_id="payment_id")},
            failure_on=frozenset({PaymentDeclined.message_type}),
            unknown_on={PaymentOutcomeUnknown.message_type: keep(payment_id="payment_id")},
            status_query=check_payment,
            compensation=REFUND_CHARGE,
            policy=STEP_POLICY,
            approval=REVIEW,
        ),
        Step(
            name="create_shipment",
            service="shipping",
            command=ship,
            success_on={
                ShipmentCreated.message_type: keep(
                    shipment_id="shipment_id",
                    tracking_number="tracking_number",
                    carrier="carrier",
                )
            },
            failure_on=frozenset({ShipmentFailed.message_type}),
            policy=STEP_POLICY,
        ),
    ),
    on_completed=confirmed,
    on_compensated=cancelled,
    admission=Admission(model=Order, key_name="order_id", key=lambda o: o.order_id, admit=admitted),
    events=(OrderConfirmed, OrderCancelled),
    summary=summary,
    description=__doc__ or "",
)
