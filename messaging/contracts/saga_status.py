"""The states a saga can be in, as the task API reports them (``state`` of every saga
view) and the engine moves through them. One home: readers import these, never a list of
their own."""

from __future__ import annotations

from enum import StrEnum


class SagaStatus(StrEnum):
    RUNNING = "running"
    AWAITING_APPROVAL = "awaiting_approval"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    COMPENSATED = "compensated"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED})
# The states in which a saga still waits for something (a reply, a decision, a deadline).
ACTIVE_STATUSES = frozenset(SagaStatus) - TERMINAL_STATUSES
# For retiring a definition version: a saga that waits for a person (a review, or an
# operator's retry of a failed saga) may still move on it; a finished one never will.
WAITING_STATUSES = frozenset({SagaStatus.AWAITING_APPROVAL, SagaStatus.FAILED})
FINISHED_STATUSES = frozenset({SagaStatus.COMPLETED, SagaStatus.COMPENSATED})
