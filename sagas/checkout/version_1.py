"""Checkout version 1: reserve inventory -> charge payment -> create shipment -> confirm.

Kept registered while sagas started on it run (``sagactl definitions`` says when it can be
retired); new sagas start on the latest version (sagas/checkout/definition.py).

On a failure the committed steps are undone in reverse order: refund, then release.
The saga data holds the submitted order under "order" and what the replies told us.
"""

from __future__ import annotations

from collections.abc import Mapping

from messaging.contracts.inventory import (
    InventoryReleased,
    InventoryReservationFailed,
    InventoryReserved,
    ReleaseInventory,
    ReserveInventory,
    StockLine,
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
from messaging.contracts.shipping import CreateShipment, ShipmentCreated, ShipmentFailed
from orchestrator.definition import (
    Admission,
    AdmissionContext,
    Admitted,
    Approval,
    Compensation,
    Refused,
    RetryPolicy,
    SagaData,
    SagaDefinition,
    Step,
    keep,
)
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.checkout.input import Order


def order_of(data: SagaData) -> Order:
    return Order.model_validate(data["order"])


def stock_lines(order: Order) -> list[StockLine]:
    return [StockLine(sku=item.sku, quantity=item.quantity) for item in order.items]


def reserve(data: SagaData) -> ReserveInventory:
    order = order_of(data)
    return ReserveInventory(order_id=order.order_id, items=stock_lines(order))


def release(data: SagaData) -> ReleaseInventory:
    return ReleaseInventory(
        order_id=data["order"]["order_id"], reservation_id=data["reservation_id"]
    )


def charge(data: SagaData) -> ChargePayment:
    order = order_of(data)
    return ChargePayment(
        order_id=order.order_id,
        amount_cents=order.total_cents,
        currency=order.currency,
        payment_token=order.payment_token,
    )


def check_payment(data: SagaData) -> CheckPaymentStatus:
    return CheckPaymentStatus(order_id=data["order"]["order_id"], payment_id=data["payment_id"])


def refund(data: SagaData) -> RefundPayment:
    return RefundPayment(order_id=data["order"]["order_id"], payment_id=data["payment_id"])


def ship(data: SagaData) -> CreateShipment:
    order = order_of(data)
    return CreateShipment(
        order_id=order.order_id, address=order.shipping_address, items=stock_lines(order)
    )


def confirmed(data: SagaData, _failure: Mapping[str, str]) -> OrderConfirmed:
    order = order_of(data)
    return OrderConfirmed(
        order_id=order.order_id,
        customer=order.customer,
        items=order.items,
        total_cents=order.total_cents,
        currency=order.currency,
        payment_id=data["payment_id"],
        shipment_id=data["shipment_id"],
        tracking_number=data["tracking_number"],
    )


def cancelled(data: SagaData, failure: Mapping[str, str]) -> OrderCancelled:
    order = order_of(data)
    return OrderCancelled(
        order_id=order.order_id,
        customer=order.customer,
        items=order.items,
        total_cents=order.total_cents,
        currency=order.currency,
        code=failure.get("code", "cancelled"),
        reason=failure.get("reason", "cancelled"),
    )


# Participants answer in milliseconds; a missing reply means a lost message or a dead
# worker. The same command is sent again (10 s, 20 s, 40 s), then an operator decides:
# a step that may have happened late is not silently compensated around.
STEP_POLICY = RetryPolicy(timeout=10.0, max_attempts=3, backoff=2.0)
# A compensation that answers "failed" is tried again with a new command after
# 0.5 s, 1 s, 2 s; then the saga is `failed` and waits for an operator's retry.
COMPENSATION_POLICY = RetryPolicy(timeout=10.0, max_attempts=4, backoff=2.0, retry_delay=0.5)


def needs_review(data: SagaData) -> bool:
    """Orders at or above the threshold recorded when the saga started wait for a human
    decision before the card is charged."""
    threshold = data.get("review_threshold_cents")
    return threshold is not None and order_of(data).total_cents >= int(threshold)


# A decision is due within a day; no decision rejects the order (stock released).
REVIEW = Approval(needed=needs_review, timeout=24 * 3600.0)

DEFAULT_REVIEW_THRESHOLD_CENTS = 100_000


def admitted(order: Order, context: AdmissionContext) -> Admitted:
    """The saga's first data: the order, and the review threshold in force, recorded with
    it so an audit shows why an order was (not) reviewed."""
    threshold = context.settings.get("SAGA_REVIEW_THRESHOLD_CENTS")
    return Admitted(
        data={
            "order": order.model_dump(mode="json"),
            "review_threshold_cents": int(threshold or DEFAULT_REVIEW_THRESHOLD_CENTS),
        }
    )


def admit(order: Order, context: AdmissionContext) -> Admitted | Refused:
    """Any valid order may start, except one that allows a partial reservation: version 1
    reserves all or nothing, and saying yes would ignore what the client asked."""
    if order.allow_partial:
        return Refused(
            "allow_partial: checkout version 1 reserves all or nothing; new checkouts start "
            "on version 1 here (SAGA_START_VERSIONS), so submit without allow_partial"
        )
    return admitted(order, context)


def summary(data: SagaData) -> Mapping[str, str]:
    order = data["order"]
    total = sum(item["quantity"] * item["unit_price_cents"] for item in order["items"])
    return {
        "customer": str(order["customer"]["id"]),
        "total": f"{total / 100:.2f} {order['currency']}",
    }


# Undo a reservation, undo a charge: the same in every version of the checkout.
RELEASE_STOCK = Compensation(
    command=release,
    done_on=frozenset({InventoryReleased.message_type}),
    policy=COMPENSATION_POLICY,
)
REFUND_CHARGE = Compensation(
    command=refund,
    done_on=frozenset({PaymentRefunded.message_type}),
    failed_on=frozenset({PaymentRefundFailed.message_type}),
    policy=COMPENSATION_POLICY,
)

CHECKOUT_V1 = SagaDefinition(
    name="checkout",
    steps=(
        Step(
            name="reserve_inventory",
            service="inventory",
            command=reserve,
            success_on={InventoryReserved.message_type: keep(reservation_id="reservation_id")},
            failure_on=frozenset({InventoryReservationFailed.message_type}),
            compensation=RELEASE_STOCK,
            policy=STEP_POLICY,
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
                    shipment_id="shipment_id", tracking_number="tracking_number"
                )
            },
            failure_on=frozenset({ShipmentFailed.message_type}),
            policy=STEP_POLICY,
        ),
    ),
    on_completed=confirmed,
    on_compensated=cancelled,
    admission=Admission(model=Order, key_name="order_id", key=lambda o: o.order_id, admit=admit),
    events=(OrderConfirmed, OrderCancelled),
    summary=summary,
    description=__doc__ or "",
)
