"""``orchestrator.list_definitions``'s answer: one summary per registered version, with how
many sagas run it and whether it can be retired (docs/upgrading.md, Definition versions).

Pure: the counts come from the store (``reads.version_counts``), the versions from the
registry."""

from __future__ import annotations

from collections.abc import Mapping

from messaging.contracts.read_models import DefinitionSummary
from messaging.contracts.saga_status import FINISHED_STATUSES, WAITING_STATUSES
from orchestrator.definition import SagaDefinition
from orchestrator.saga_registry import Registry

Counted = Mapping[tuple[str, int], Mapping[str, int]]  # (name, version) -> state -> sagas


def summaries(registry: Registry, counted: Counted) -> list[DefinitionSummary]:
    """Every registered version, by name then version. A count of sagas on a version
    not registered here is left out: such sagas are parked (their replies) until a
    build that registers it is deployed."""
    return [
        summary(saga, counted.get((saga.name, saga.version), {}), registry)
        for saga in registry.every()
    ]


def summary(
    saga: SagaDefinition, states: Mapping[str, int], registry: Registry
) -> DefinitionSummary:
    """One version. Retirable: new sagas do not start on it and none of its sagas runs or
    waits for a person (a review, an operator's retry of a failed one)."""
    waiting = sum(n for state, n in states.items() if state in WAITING_STATUSES)
    finished = sum(n for state, n in states.items() if state in FINISHED_STATUSES)
    running = sum(states.values()) - waiting - finished
    starts_new = registry.start_version(saga.name) == saga.version
    return DefinitionSummary(
        name=saga.name,
        version=saga.version,
        starts_new=starts_new,
        running=running,
        waiting=waiting,
        finished=finished,
        retirable=not starts_new and running == 0 and waiting == 0,
        key_name=saga.admission.key_name if saga.admission else None,
        steps=[step.name for step in saga.steps],
        events=[event.message_type for event in saga.events],
        description=next(iter(saga.description.strip().splitlines()), ""),
        services=sorted({step.service for step in saga.steps}),
    )
