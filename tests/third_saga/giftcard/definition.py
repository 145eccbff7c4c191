"""The gift card saga: one step, payment's existing ChargePayment; nothing outside this
folder changes for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagas.giftcard.events import GiftCardIssued, GiftCardNotIssued
from sagas.giftcard.input import GiftCardPurchase

from messaging.contracts.payment import ChargePayment, PaymentCharged, PaymentDeclined
from orchestrator.definition import (
    Admission,
    AdmissionContext,
    Admitted,
    SagaData,
    SagaDefinition,
    Step,
)


def admit(purchase: GiftCardPurchase, _context: AdmissionContext) -> Admitted:
    return Admitted(data={"purchase": purchase.model_dump(mode="json")})


def charge(data: SagaData) -> ChargePayment:
    purchase = data["purchase"]
    return ChargePayment(
        order_id=purchase["card_id"],
        amount_cents=purchase["amount_cents"],
        currency=purchase["currency"],
        payment_token=purchase["payment_token"],
    )


def keep_payment(reply: Any) -> Mapping[str, Any]:
    return {"payment_id": reply.payment_id}


def issued(data: SagaData, _failure: Mapping[str, str]) -> GiftCardIssued:
    purchase = data["purchase"]
    return GiftCardIssued(
        card_id=purchase["card_id"],
        amount_cents=purchase["amount_cents"],
        payment_id=data["payment_id"],
    )


def not_issued(data: SagaData, failure: Mapping[str, str]) -> GiftCardNotIssued:
    return GiftCardNotIssued(card_id=data["purchase"]["card_id"], reason=failure["reason"])


DEFINITION = SagaDefinition(
    name="giftcard",
    steps=(
        Step(
            name="charge_payment",
            service="payment",
            command=charge,
            success_on={PaymentCharged.message_type: keep_payment},
            failure_on=frozenset({PaymentDeclined.message_type}),
        ),
    ),
    on_completed=issued,
    on_compensated=not_issued,
    admission=Admission(
        model=GiftCardPurchase, key_name="card_id", key=lambda p: p.card_id, admit=admit
    ),
    events=(GiftCardIssued, GiftCardNotIssued),
    summary=lambda data: {"amount": str(data["purchase"]["amount_cents"])},
    description=__doc__ or "",
)
