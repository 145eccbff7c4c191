"""Payment rules, free of transport and storage. The card network is passed in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from messaging.refusal import Refusal

SUPPORTED_CURRENCIES = frozenset({"EUR", "USD", "GBP"})


@dataclass(frozen=True)
class Approved:
    authorization: str


@dataclass(frozen=True)
class Refunded:
    reference: str


@dataclass(frozen=True)
class Unknown:
    """The network did not answer: the charge may have happened. Ask, never redo."""

    reason: str


@runtime_checkable
class CardNetwork(Protocol):
    """The interface a card network implements: the fake one (card_network.py) or a real
    provider's adapter, chosen by ``PAYMENT_CARD_NETWORK`` (``fake``, or
    ``module:factory``: a callable with no arguments returning an object with these three
    methods; docs/configuration.md#adapters-a-real-card-network-or-carrier).

    The factory is called once in each worker process, after fork, and once in a prefork
    worker's parent at start (a check: that one handles nothing). Read the provider's
    own settings there; connect lazily, on first use.

    Outcomes are values, not exceptions. A business "no" (card declined, refund refused)
    is a ``Refusal``: its ``code`` and ``reason`` reach the saga in the failure reply. An
    answer that did not come (a timeout after the request went out) is ``Unknown``: the
    saga then asks ``status``, never charges again. Raise when the network cannot be
    reached: ``OSError`` (``ConnectionError``, ``TimeoutError``) is retried with backoff,
    up to 8 attempts in all, under the same reference; any other exception is taken for
    a bug (3 attempts). Then the command is parked (``sagactl dlq``)."""

    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        """Charge ``amount_cents`` (> 0) in ``currency`` to the card behind ``token``.
        ``reference`` is the payment's id and the idempotency key: asked again with the
        same reference (a command handled again after a crash), do not charge twice."""
        ...

    def status(self, reference: str) -> Approved | Refusal | Unknown:
        """The outcome of the charge made under ``reference``, once it was ``Unknown``."""
        ...

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        """Give back ``amount_cents`` of an authorization; ``reference`` is the
        idempotency key: the same reference is the same refund."""
        ...


def charge(
    network: CardNetwork, token: str, amount_cents: int, currency: str, reference: str = ""
) -> Approved | Refusal | Unknown:
    if amount_cents < 0:
        return Refusal("invalid_amount", f"amount must not be negative, got {amount_cents}")
    if currency not in SUPPORTED_CURRENCIES:
        return Refusal("currency_not_supported", f"currency {currency} is not supported")
    if amount_cents == 0:
        return Approved(authorization="free")  # nothing to take from the card
    return network.authorize(token, amount_cents, currency, reference)


@dataclass(frozen=True)
class PaymentRecord:
    status: str  # unknown | charged | declined | partially_refunded | refunded
    authorization: str
    amount_cents: int
    refunded_cents: int = 0


@dataclass(frozen=True)
class Refund:
    """A refund made (or found): its id and what it gave back."""

    refund_id: str
    amount_cents: int


REFUNDABLE = frozenset({"charged", "partially_refunded", "refunded"})
DERIVED = "~"  # begins every refund key derived from a command; an identifier has none
REST_OF_PAYMENT = f"{DERIVED}rest"


def refund_key(reference: str | None, amount_cents: int | None, command_id: str) -> str:
    """Which refunds of a payment are the same refund: those with the same key. It is the
    sender's reference, else one derived from the command: a refund of everything left is
    made once per payment; a refund of an amount without a reference, once per command
    (message id). A sender's reference is an identifier: a derived key never equals one."""
    if reference is not None:
        return reference
    if amount_cents is None:
        return REST_OF_PAYMENT
    return f"{DERIVED}message:{command_id}"


def sender_reference(key: str) -> str | None:
    """The reference a sender chose, or None for a key derived from the command."""
    return None if key.startswith(DERIVED) else key


def refund(
    network: CardNetwork,
    payment: PaymentRecord | None,
    amount_cents: int | None = None,
    key: str = "",
    previous: Refund | None = None,
) -> Refund | Refusal:
    """Refund ``amount_cents`` of a charge, or everything not refunded yet when None.

    ``key`` identifies this refund among all refunds (the network gets it as its
    idempotency key); ``previous`` is the refund already made under it, which is the
    answer again. Never more than was charged and not yet refunded."""
    if payment is None:
        return Refusal("payment_not_found", "no such payment")
    if previous is not None:
        return previous
    if payment.status not in REFUNDABLE:
        return Refusal("payment_not_charged", f"the payment is {payment.status}, not charged")
    left = payment.amount_cents - payment.refunded_cents
    amount = left if amount_cents is None else amount_cents
    if amount < 0:
        return Refusal("invalid_amount", f"a refund must not be negative, got {amount}")
    if amount > left:
        return Refusal(
            "refund_exceeds_charge",
            f"a refund of {amount} cents exceeds the {left} cents left to refund "
            f"({payment.amount_cents} charged, {payment.refunded_cents} already refunded)",
        )
    if amount == 0:  # nothing to give back: no network, an id of our own
        return Refund(f"free_{hashlib.sha256(key.encode()).hexdigest()[:16]}", 0)
    outcome = network.refund(payment.authorization, amount, key)
    if isinstance(outcome, Refusal):
        return outcome
    return Refund(outcome.reference, amount)


def status_after_refund(amount_cents: int, refunded_cents: int) -> str:
    """A payment's status once ``refunded_cents`` of its ``amount_cents`` are refunded."""
    if refunded_cents >= amount_cents:
        return "refunded"
    return "partially_refunded" if refunded_cents > 0 else "charged"
