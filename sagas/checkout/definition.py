"""The checkout saga, every version this orchestrator runs. New sagas start on the latest
(unless ``SAGA_START_VERSIONS`` pins one during a rollout); a saga finishes on the
version it started on. Retire a version by removing it here once ``sagactl definitions``
says no saga runs on it (docs/upgrading.md)."""

from __future__ import annotations

from sagas.checkout.version_1 import CHECKOUT_V1
from sagas.checkout.version_2 import CHECKOUT_V2

DEFINITIONS = (CHECKOUT_V1, CHECKOUT_V2)
