"""The saga definitions this orchestrator runs, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from orchestrator.checkout import CHECKOUT
from orchestrator.definition import SagaDefinition

DEFINITIONS: Mapping[str, SagaDefinition] = MappingProxyType({CHECKOUT.name: CHECKOUT})
