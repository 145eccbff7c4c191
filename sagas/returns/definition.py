"""The returns saga: a customer sends back some lines of a completed order.

check the return (the orchestrator's own data, before anything starts)
-> in parallel: create a return label (shipping) and refund the returned lines (payment)
-> restock the lines (inventory) -> ReturnCompleted.

A refused refund voids the label and the return ends ReturnRejected. A refused label
ends it too; a refund that already went through stays (a refund cannot be taken back) and
ReturnRejected says how much was refunded.

The saga data holds the request under "return" and what the check found in the order:
the lines with their prices, the refund, the customer, the address and the payment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from messaging.contracts.inventory import InventoryRestocked, RestockInventory, StockLine
from messaging.contracts.orders import ShippingAddress
from messaging.contracts.payment import PaymentRefunded, PaymentRefundFailed, RefundPayment
from messaging.contracts.shipping import (
    CreateReturnLabel,
    ReturnLabelCreated,
    ReturnLabelRefused,
    ReturnLabelVoided,
    VoidReturnLabel,
)
from orchestrator.definition import (
    Admission,
    AdmissionContext,
    Admitted,
    Compensation,
    Refused,
    RetryPolicy,
    SagaData,
    SagaDefinition,
    SagaRecord,
    Step,
    keep,
    record_nothing,
)
from sagas.checkout.bought import reserved_order
from sagas.returns.events import ReturnCompleted, ReturnedLine, ReturnRejected
from sagas.returns.input import ReturnRequest

# The saga whose orders are returned, and this saga's own name: a return finds its order
# there and the earlier returns of that order here.
ORDERS = "checkout"
RETURNS = "returns"
# A return that ended compensated gave its lines back; any other still holds them.
RELEASED = "compensated"


def admit(request: ReturnRequest, context: AdmissionContext) -> Admitted | Refused:
    """A return is accepted for lines of a completed order, no more of each than was
    bought less what earlier returns of that order took."""
    order = context.lookup.get(ORDERS, request.order_id)
    if order is None:
        return Refused(f"order_id: no order {request.order_id!r} (a return needs its order)")
    if order.status != "completed":
        return Refused(
            f"order_id: order {request.order_id!r} is {order.status}, not completed: "
            "only a completed order can be returned"
        )
    bought = _bought(order.data)
    taken = _returned(context.lookup.children(RETURNS, request.order_id))
    problems = []
    for i, line in enumerate(request.lines):
        if line.sku not in bought:
            problems.append(f"lines.{i}.sku: {line.sku} is not in order {request.order_id}")
            continue
        had, gone = bought[line.sku]["quantity"], taken.get(line.sku, 0)
        if line.quantity > had - gone:
            problems.append(
                f"lines.{i}.quantity: {line.quantity} x {line.sku} asked, but {had} were "
                f"bought and {gone} already returned ({had - gone} left)"
            )
    if problems:
        return Refused("return refused: " + "; ".join(problems))
    return Admitted(data=_data(request, order), parent_key=request.order_id)


def _bought(order: SagaData) -> dict[str, Any]:
    """The order's lines by SKU, as bought: a checkout (version 2 on) that reserved only
    part of the order charged and shipped only that (sagas/checkout/bought.py)."""
    return {item.sku: item.model_dump(mode="json") for item in reserved_order(order).items}


def _returned(earlier: Sequence[SagaRecord]) -> dict[str, int]:
    """Quantities per SKU held by earlier returns of the order."""
    taken: dict[str, int] = {}
    for saga in earlier:
        if saga.status == RELEASED:
            continue
        for line in saga.data["lines"]:
            taken[line["sku"]] = taken.get(line["sku"], 0) + line["quantity"]
    return taken


def _data(request: ReturnRequest, order: SagaRecord) -> dict[str, Any]:
    submitted = order.data["order"]
    prices = {item["sku"]: item["unit_price_cents"] for item in submitted["items"]}
    lines = [
        {"sku": line.sku, "quantity": line.quantity, "unit_price_cents": prices[line.sku]}
        for line in request.lines
    ]
    return {
        "return": request.model_dump(mode="json"),
        "lines": lines,
        "refund_cents": sum(line["quantity"] * line["unit_price_cents"] for line in lines),
        "currency": submitted["currency"],
        "customer": submitted["customer"],
        "address": submitted["shipping_address"],
        "payment_id": order.data["payment_id"],
    }


def _stock_lines(data: SagaData) -> list[StockLine]:
    return [StockLine(sku=line["sku"], quantity=line["quantity"]) for line in data["lines"]]


def label(data: SagaData) -> CreateReturnLabel:
    request = data["return"]
    return CreateReturnLabel(
        return_id=request["return_id"],
        order_id=request["order_id"],
        address=ShippingAddress.model_validate(data["address"]),
        items=_stock_lines(data),
    )


def void_label(data: SagaData) -> VoidReturnLabel:
    request = data["return"]
    return VoidReturnLabel(
        return_id=request["return_id"], order_id=request["order_id"], label_id=data["label_id"]
    )


def refund(data: SagaData) -> RefundPayment:
    """A partial refund of the order's charge; the return id makes it happen once."""
    request = data["return"]
    return RefundPayment(
        order_id=request["order_id"],
        payment_id=data["payment_id"],
        amount_cents=data["refund_cents"],
        reference=f"return:{request['return_id']}",
    )


def restock(data: SagaData) -> RestockInventory:
    request = data["return"]
    return RestockInventory(
        return_id=request["return_id"], order_id=request["order_id"], items=_stock_lines(data)
    )


def _returned_lines(data: SagaData) -> list[ReturnedLine]:
    return [ReturnedLine.model_validate(line) for line in data["lines"]]


def completed(data: SagaData, _failure: Mapping[str, str]) -> ReturnCompleted:
    request = data["return"]
    return ReturnCompleted(
        return_id=request["return_id"],
        order_id=request["order_id"],
        customer=data["customer"],
        lines=_returned_lines(data),
        refund_cents=data["refunded_cents"],
        currency=data["currency"],
        refund_id=data["refund_id"],
        tracking_number=data["tracking_number"],
        reason=request["reason"],
    )


def rejected(data: SagaData, failure: Mapping[str, str]) -> ReturnRejected:
    request = data["return"]
    return ReturnRejected(
        return_id=request["return_id"],
        order_id=request["order_id"],
        customer=data["customer"],
        lines=_returned_lines(data),
        refund_cents=int(data.get("refunded_cents", 0)),
        currency=data["currency"],
        code=failure.get("code", "rejected"),
        reason=failure.get("reason", "rejected"),
    )


def summary(data: SagaData) -> Mapping[str, str]:
    return {
        "order": str(data["return"]["order_id"]),
        "refund": f"{data['refund_cents'] / 100:.2f} {data['currency']}",
    }


# As the checkout's: a missing reply is sent again (10 s, 20 s, 40 s), then an operator
# decides; a voiding that answers "failed" is tried again after 0.5 s, 1 s, 2 s.
STEP_POLICY = RetryPolicy(timeout=10.0, max_attempts=3, backoff=2.0)
COMPENSATION_POLICY = RetryPolicy(timeout=10.0, max_attempts=4, backoff=2.0, retry_delay=0.5)
TOGETHER = "label_and_refund"

RETURNS_SAGA = SagaDefinition(
    name=RETURNS,
    steps=(
        Step(
            name="create_return_label",
            service="shipping",
            command=label,
            success_on={
                ReturnLabelCreated.message_type: keep(
                    label_id="label_id", tracking_number="tracking_number"
                )
            },
            failure_on=frozenset({ReturnLabelRefused.message_type}),
            compensation=Compensation(
                command=void_label,
                done_on=frozenset({ReturnLabelVoided.message_type}),
                policy=COMPENSATION_POLICY,
            ),
            policy=STEP_POLICY,
            group=TOGETHER,
        ),
        Step(
            name="refund_payment",
            service="payment",
            command=refund,
            success_on={
                PaymentRefunded.message_type: keep(
                    refund_id="refund_id", refunded_cents="amount_cents"
                )
            },
            failure_on=frozenset({PaymentRefundFailed.message_type}),
            policy=STEP_POLICY,
            group=TOGETHER,
        ),
        Step(
            name="restock_inventory",
            service="inventory",
            command=restock,
            success_on={InventoryRestocked.message_type: record_nothing},
            policy=STEP_POLICY,
        ),
    ),
    on_completed=completed,
    on_compensated=rejected,
    admission=Admission(
        model=ReturnRequest, key_name="return_id", key=lambda r: r.return_id, admit=admit
    ),
    events=(ReturnCompleted, ReturnRejected),
    summary=summary,
    description=__doc__ or "",
)

DEFINITION = RETURNS_SAGA
