"""An operator's retry and cancel of a saga in a parallel group: only the members that
never answered are resent, and a cancel waits for the group (the party saga)."""

from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest

from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.engine import Flight, HistoryEntry, Transition
from tests.unit.party_saga import (
    NOW,
    PARTY,
    SENT,
    B,
    C,
    applied,
    exhaust_b,
    in_group,
    ok,
    party,
    refused,
    sent,
    undo_all,
)
from tests.unit.saga_builders import S


def test_retry_after_a_group_timeout_resends_every_unanswered_member_under_its_id(new_id):
    failed = exhaust_b(in_group(new_id).state, new_id, PARTY).state
    later = NOW + timedelta(hours=1)

    t = engine.retry(PARTY, failed, new_id, later)

    assert isinstance(t, Transition)
    assert sent([t]) == [("cmd-2", "b", False), ("cmd-3", "c", False)]
    assert [e.kind for e in t.history] == ["retried_by_operator", "command_sent", "command_sent"]
    assert t.state.status is SagaStatus.RUNNING
    assert t.state.error is None
    assert t.state.steps == (S.SUCCEEDED, S.RUNNING, S.RUNNING, S.PENDING)
    assert t.state.flights == (
        Flight(B, "cmd-2", 1, later + timedelta(seconds=10)),
        Flight(C, "cmd-3", 1, later + timedelta(seconds=40)),
    )
    assert t.state.deadline == later + timedelta(seconds=10)

    state = applied(t.state, ok("c"), SENT["c"], new_id).state
    assert sent([applied(state, ok("b"), SENT["b"], new_id)]) == [("cmd-4", "d", False)]


def test_retry_resends_only_the_members_that_never_answered(new_id):
    state = applied(in_group(new_id).state, ok("c"), SENT["c"], new_id).state
    failed = exhaust_b(state, new_id, PARTY).state

    t = engine.retry(PARTY, failed, new_id, NOW)

    assert isinstance(t, Transition)
    assert sent([t]) == [("cmd-2", "b", False)]
    assert t.state.steps[C] is S.SUCCEEDED


def test_retry_of_a_group_that_had_a_failure_goes_back_to_compensating(new_id):
    state = applied(in_group(new_id).state, refused("c"), SENT["c"], new_id).state
    failed = exhaust_b(state, new_id, PARTY).state
    assert failed.status is SagaStatus.FAILED

    t = engine.retry(PARTY, failed, new_id, NOW)

    assert isinstance(t, Transition)
    assert t.state.status is SagaStatus.COMPENSATING
    assert sent([t]) == [("cmd-2", "b", False)]
    undone, end = undo_all(applied(t.state, ok("b"), SENT["b"], new_id), new_id)
    assert undone == ["b", "a"]
    assert end.state.failure is not None
    assert end.state.failure["step"] == "c"


@pytest.mark.parametrize("order", list(permutations("bc")), ids="-then-".join)
def test_cancel_while_the_group_is_in_flight_undoes_it_once_both_answered(new_id, order):
    group = in_group(new_id).state

    cancelled = engine.cancel(PARTY, group, "guest list lost", new_id, NOW)

    assert isinstance(cancelled, Transition)
    assert cancelled.commands == ()
    assert cancelled.state.cancel_reason == "guest list lost"
    assert cancelled.state.status is SagaStatus.RUNNING
    first, second = order
    t1 = applied(cancelled.state, ok(first), SENT[first], new_id)
    assert t1.commands == ()
    t2 = applied(t1.state, ok(second), SENT[second], new_id)
    assert t2.state.failure == {"step": second, "code": "cancelled", "reason": "guest list lost"}
    undone, end = undo_all(t2, new_id)
    assert undone == [second, first, "a"]
    assert end.state.status is SagaStatus.COMPENSATED


def test_a_failure_after_a_cancel_is_the_saga_failure(new_id):
    cancelled = engine.cancel(PARTY, in_group(new_id).state, "guest list lost", new_id, NOW)
    assert isinstance(cancelled, Transition)

    state = applied(cancelled.state, refused("b"), SENT["b"], new_id).state
    t = applied(state, ok("c"), SENT["c"], new_id)

    assert t.state.failure == {"step": "b", "code": "b_refused", "reason": "b said no"}
    assert undo_all(t, new_id)[0] == ["c", "a"]


def test_cancel_of_a_group_with_a_step_that_cannot_be_undone_is_too_late(new_id):
    definition = party(c={"compensation": None})
    group = in_group(new_id, definition).state
    cancelled = engine.cancel(definition, group, "guest list lost", new_id, NOW)
    assert isinstance(cancelled, Transition)

    state = applied(cancelled.state, ok("b"), SENT["b"], new_id, definition).state
    t = applied(state, ok("c"), SENT["c"], new_id, definition)

    assert t.history[1] == HistoryEntry("cancel_too_late", "c", {"reason": "c cannot be undone"})
    assert t.state.cancel_reason is None
    assert t.state.status is SagaStatus.RUNNING
    assert sent([t]) == [("cmd-4", "d", False)]
