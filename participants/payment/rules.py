"""Payment rules, free of transport and storage. The card network is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SUPPORTED_CURRENCIES = frozenset({"EUR", "USD", "GBP"})


@dataclass(frozen=True)
class Approved:
    authorization: str


@dataclass(frozen=True)
class Declined:
    code: str
    reason: str


@dataclass(frozen=True)
class Refunded:
    reference: str


@dataclass(frozen=True)
class Unknown:
    """The network did not answer: the charge may have happened. Ask, never redo."""

    reason: str


class CardNetwork(Protocol):
    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Declined | Unknown: ...

    def status(self, reference: str) -> Approved | Declined | Unknown: ...

    def refund(self, authorization: str, amount_cents: int) -> Refunded | Declined: ...


def charge(
    network: CardNetwork, token: str, amount_cents: int, currency: str, reference: str = ""
) -> Approved | Declined | Unknown:
    if amount_cents < 0:
        return Declined("invalid_amount", f"amount must not be negative, got {amount_cents}")
    if currency not in SUPPORTED_CURRENCIES:
        return Declined("currency_not_supported", f"currency {currency} is not supported")
    if amount_cents == 0:
        return Approved(authorization="free")  # nothing to take from the card
    return network.authorize(token, amount_cents, currency, reference)


@dataclass(frozen=True)
class PaymentRecord:
    status: str  # unknown | charged | declined | refunded
    authorization: str
    amount_cents: int
    refund_reference: str | None = None


def refund(network: CardNetwork, payment: PaymentRecord | None) -> Refunded | Declined:
    """Refund the whole charge once; a second refund returns the first one's reference."""
    if payment is None:
        return Declined("payment_not_found", "no such payment")
    if payment.status == "refunded" and payment.refund_reference is not None:
        return Refunded(payment.refund_reference)
    if payment.amount_cents == 0:
        return Refunded(reference="free")
    return network.refund(payment.authorization, payment.amount_cents)
