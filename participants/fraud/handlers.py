"""Fraud's command handler: a thin adapter from ScreenOrder to the rules, the store and
the scorer it is built with, declared in one registry (``registry``)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.contracts.fraud import FraudSuspected, OrderScreened, ScreenOrder
from messaging.handlers import Registry, replying
from participants.fraud import rules, store


def screening_id_for(order_id: str) -> str:
    """The screening's id, derived from the order's: one screening per order, and a
    command handled again after a crash (before its commit) writes the same id."""
    return f"scr_{hashlib.sha256(order_id.encode()).hexdigest()[:16]}"


def registry(scorer: rules.Scorer, threshold: int = rules.DEFAULT_REJECT_SCORE) -> Registry:
    """Fraud's one command and its handler, on ``scorer``; any other type is parked."""
    fraud = FraudHandlers(scorer, threshold)
    return Registry("fraud", {ScreenOrder: replying(fraud.screen)})


class FraudHandlers:
    """The handler that asks the scorer, built with it and the threshold."""

    def __init__(self, scorer: rules.Scorer, threshold: int) -> None:
        self.scorer = scorer
        self.threshold = threshold

    def screen(self, conn: Connection, message: Message[ScreenOrder]) -> Payload:
        command = message.payload
        screening_id = screening_id_for(command.order_id)
        found = store.screening_of(conn, command.order_id)
        if found is not None:  # screened before: the first verdict is the answer
            screening_id, verdict = found
        else:
            verdict = rules.screen(self.scorer, _order(command), self.threshold)
            store.add_screening(conn, screening_id, command.order_id, verdict)
        if verdict.rejected:
            return FraudSuspected(
                order_id=command.order_id,
                screening_id=screening_id,
                score=verdict.score,
                code=rules.REJECTED_CODE,
                reason=verdict.explanation,
            )
        return OrderScreened(
            order_id=command.order_id, screening_id=screening_id, score=verdict.score
        )


def _order(command: ScreenOrder) -> rules.Order:
    return rules.Order(
        order_id=command.order_id,
        customer_id=command.customer_id,
        amount_cents=command.amount_cents,
        currency=command.currency,
        country=command.country,
        payment_token=command.payment_token,
    )
