"""A fake card network, for development and tests (we do not own the real one).

Test tokens (docs/task-api.md):
    tok_visa, tok_mastercard   approve
    tok_declined               decline: card_declined
    tok_insufficient_funds     decline: insufficient_funds
    tok_refund_fails           approve charges, refuse refunds (whole or partial):
                               processor_error
    tok_timeout                no answer in time (the outcome is unknown); the charge did
                               go through: a status query by reference finds it approved
    anything else              decline: invalid_token

A refund's id is derived from the authorization, the amount and the refund's reference
(its idempotency key): asked again with the same three, the network answers the same id.
"""

from __future__ import annotations

import hashlib

from messaging.refusal import Refusal
from participants.payment.rules import Approved, Refunded, Unknown

APPROVING = frozenset({"tok_visa", "tok_mastercard", "tok_refund_fails"})
DECLINES = {
    "tok_declined": Refusal("card_declined", "the card was declined"),
    "tok_insufficient_funds": Refusal("insufficient_funds", "insufficient funds on the card"),
}


def _reference(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


class FakeCardNetwork:
    def authorize(
        self, token: str, amount_cents: int, currency: str, reference: str = ""
    ) -> Approved | Refusal | Unknown:
        if token == "tok_timeout":
            return Unknown("the card network did not answer in time")
        if token in DECLINES:
            return DECLINES[token]
        if token not in APPROVING:
            return Refusal("invalid_token", f"unknown payment token {token!r}")
        prefix = "authF" if token == "tok_refund_fails" else "auth"
        return Approved(f"{prefix}_{_reference(token, amount_cents, currency)}")

    def status(self, reference: str) -> Approved | Refusal | Unknown:
        return Approved(f"auth_{_reference('status', reference)}")

    def refund(
        self, authorization: str, amount_cents: int, reference: str = ""
    ) -> Refunded | Refusal:
        if authorization.startswith("authF_"):
            return Refusal("processor_error", "the card network refused the refund")
        return Refunded(f"re_{_reference(authorization, amount_cents, reference)}")
