"""Fraud's composition root: the scorer its handler talks to, chosen by ``FRAUD_SCORER``
(``fake`` unless set, or ``module:factory`` for a real one:
docs/configuration.md#adapters-a-real-card-network-or-carrier), the threshold at which it
rejects, ``FRAUD_REJECT_SCORE`` (80 unless set), and the registry built on both. The
worker calls ``registry`` once per process; a bad setting stops it at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import cast

from messaging.handlers import Registry
from messaging.settings import AdapterSetting
from participants.adapters import adapter_for
from participants.fraud import handlers
from participants.fraud.rules import DEFAULT_REJECT_SCORE, Scorer, parse_threshold
from participants.fraud.scorer import FakeScorer

BUILT_IN = {"fake": FakeScorer}
THRESHOLD_VARIABLE = "FRAUD_REJECT_SCORE"


def scorer(env: Mapping[str, str] | None = None) -> Scorer:
    """The scorer ``FRAUD_SCORER`` names, built; ``BadAdapter`` if it names none, or
    something that is not a ``Scorer`` (participants/fraud/rules.py)."""
    setting = AdapterSetting.from_env("fraud", "scorer", env)
    return cast(Scorer, adapter_for(setting, BUILT_IN, Scorer))


def threshold(env: Mapping[str, str] | None = None) -> int:
    """``FRAUD_REJECT_SCORE``, 1 to 100; ``ValueError`` naming it for anything else."""
    value = (os.environ if env is None else env).get(THRESHOLD_VARIABLE)
    return DEFAULT_REJECT_SCORE if value is None else parse_threshold(value)


def registry(env: Mapping[str, str] | None = None) -> Registry:
    return handlers.registry(scorer(env), threshold(env))
