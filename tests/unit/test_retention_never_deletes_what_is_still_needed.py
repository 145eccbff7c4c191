"""The retention policy (messaging/retention_policy.py): an unpublished outbox row, an
unfinished saga, an event a subscription has not been sent and a parked dead letter are
never eligible, however old; the rest is, once past its setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from messaging import retention_policy as policy
from messaging.contracts.saga_status import SagaStatus

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=30)
AGES_AGO = NOW - timedelta(days=400)


def test_an_unpublished_outbox_row_is_never_eligible() -> None:
    assert not policy.outbox_row(None, CUTOFF)
    assert policy.outbox_row(AGES_AGO, CUTOFF)


@pytest.mark.parametrize(
    "status",
    [
        SagaStatus.RUNNING,
        SagaStatus.AWAITING_APPROVAL,
        SagaStatus.COMPENSATING,
        SagaStatus.FAILED,  # an operator may still retry it
    ],
)
def test_an_unfinished_saga_is_never_eligible(status: SagaStatus) -> None:
    assert not policy.saga(status, AGES_AGO, CUTOFF)


@pytest.mark.parametrize("status", [SagaStatus.COMPLETED, SagaStatus.COMPENSATED])
def test_a_finished_saga_past_its_period_is_eligible(status: SagaStatus) -> None:
    assert policy.saga(status, AGES_AGO, CUTOFF)
    assert not policy.saga(status, NOW, CUTOFF)
    assert str(status) in policy.DELETABLE_SAGA_STATUSES


def test_the_repositories_delete_only_finished_states() -> None:
    assert set(policy.DELETABLE_SAGA_STATUSES) == {"completed", "compensated"}


def test_an_event_a_subscription_has_not_been_sent_is_never_eligible() -> None:
    assert not policy.event(11, AGES_AGO, CUTOFF, floor=10)
    assert policy.event(10, AGES_AGO, CUTOFF, floor=10)
    assert policy.event(11, AGES_AGO, CUTOFF, floor=None)  # nobody subscribes: age only


def test_a_parked_dead_letter_is_never_eligible() -> None:
    assert not policy.dead_letter("parked", None, CUTOFF)
    assert not policy.dead_letter("parked", AGES_AGO, CUTOFF)
    assert not policy.dead_letter("replayed", None, CUTOFF)  # replayed before handled_at
    assert policy.dead_letter("replayed", AGES_AGO, CUTOFF)
