"""Fraud rules, free of transport and storage. The scorer is passed in.

A scorer gives an order a risk score from 0 to 100 and the reasons behind it; the verdict
is ``rejected`` at or above the threshold (``FRAUD_REJECT_SCORE``, 80 unless set), else
``accepted``. An order is screened once: asked again, its first verdict is the answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

DEFAULT_REJECT_SCORE = 80
MAX_SCORE = 100
ACCEPTED = "accepted"
REJECTED = "rejected"
REJECTED_CODE = "fraud_rejected"  # FraudSuspected.code


@dataclass(frozen=True)
class Order:
    """What a scorer is shown of an order (ScreenOrder's fields)."""

    order_id: str
    customer_id: str
    amount_cents: int
    currency: str
    country: str
    payment_token: str


@dataclass(frozen=True)
class Assessment:
    """A scorer's answer: the score and what raised it, one reason per rule that fired."""

    score: int
    reasons: tuple[str, ...] = ()


@runtime_checkable
class Scorer(Protocol):
    """The interface a fraud scorer implements: the fake one (scorer.py) or a real
    provider's adapter, chosen by ``FRAUD_SCORER`` (``fake``, or ``module:factory``: a
    callable with no arguments returning an object with this method;
    docs/configuration.md#adapters-a-real-card-network-or-carrier).

    The factory is called once in each worker process, after fork, and once in a prefork
    worker's parent at start (a check: that one handles nothing). Read the provider's own
    settings there; connect lazily, on first use.

    Raise when the provider cannot be reached: ``OSError`` (``ConnectionError``,
    ``TimeoutError``) is retried with backoff, up to 8 attempts in all; any other
    exception is taken for a bug (3 attempts). Then the command is parked (``sagactl
    dlq``). A score outside 0 to 100 is taken for a bug too."""

    def score(self, order: Order) -> Assessment:
        """The order's risk, 0 (none seen) to 100, and the reasons for it."""
        ...


@dataclass(frozen=True)
class Verdict:
    """What the screening decided, and on what."""

    score: int
    threshold: int
    reasons: tuple[str, ...]

    @property
    def rejected(self) -> bool:
        return self.score >= self.threshold

    @property
    def outcome(self) -> str:
        return REJECTED if self.rejected else ACCEPTED

    @property
    def explanation(self) -> str:
        """One line for FraudSuspected.reason: the score, the threshold, what fired."""
        fired = "; ".join(self.reasons) or "no rule fired"
        return f"score {self.score} at or above {self.threshold}: {fired}"


def parse_threshold(value: str) -> int:
    """``FRAUD_REJECT_SCORE``: a whole number from 1 to 100 (0 would reject everything)."""
    try:
        threshold = int(value.strip())
    except ValueError:
        raise ValueError(f"FRAUD_REJECT_SCORE={value!r}: expected a whole number") from None
    if not 1 <= threshold <= MAX_SCORE:
        raise ValueError(f"FRAUD_REJECT_SCORE={value!r}: expected 1 to {MAX_SCORE}")
    return threshold


def screen(scorer: Scorer, order: Order, threshold: int = DEFAULT_REJECT_SCORE) -> Verdict:
    """Ask ``scorer`` about ``order`` and decide: rejected at or above ``threshold``."""
    assessment = scorer.score(order)
    if not 0 <= assessment.score <= MAX_SCORE:
        raise ValueError(f"the scorer gave {order.order_id} a score of {assessment.score}")
    return Verdict(assessment.score, threshold, tuple(assessment.reasons))
