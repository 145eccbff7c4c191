"""Every interleaving of the party saga's two group replies, with and without failures:
nothing is undone while a member is in flight, and what committed is undone newest
commit first."""

from __future__ import annotations

from dataclasses import replace
from itertools import permutations

import pytest

from messaging.contracts.saga_status import SagaStatus
from orchestrator.engine import OutgoingCommand
from tests.unit.party_saga import (
    PARTY,
    SENT,
    A,
    C,
    D,
    Work,
    applied,
    in_group,
    ok,
    outcome,
    refused,
    sent,
    undo_all,
)
from tests.unit.saga_builders import S


@pytest.mark.parametrize("order", list(permutations("bc")), ids="-then-".join)
def test_both_succeed_in_either_order_and_d_goes_out_once_after_the_second(new_id, order):
    group = in_group(new_id)
    first, second = order

    t1 = applied(group.state, ok(first), SENT[first], new_id)
    assert t1.commands == ()
    assert t1.state.status is SagaStatus.RUNNING
    assert [f.message_id for f in t1.state.flights] == [SENT[second]]
    assert t1.state.deadline == t1.state.flights[0].deadline  # now the other's
    assert [e.kind for e in t1.history] == ["reply_applied"]

    t2 = applied(t1.state, ok(second), SENT[second], new_id)
    assert t2.commands == (OutgoingCommand("cmd-4", "d-service", "d", Work(step="d")),)
    assert t2.state.flights == ()
    assert t2.state.current_step == D
    assert t2.state.awaiting == "cmd-4"
    assert t2.state.attempt == 1
    assert t2.state.steps == (S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED, S.RUNNING)
    assert t2.state.completed == (A, PARTY.step_index[first], PARTY.step_index[second])
    assert t2.state.data == {"party": "p-1", "a_ref": "a-ref", "b_ref": "b-ref", "c_ref": "c-ref"}

    t3 = applied(t2.state, ok("d"), "cmd-4", new_id)
    assert t3.state.status is SagaStatus.COMPLETED
    assert [c for c in sent([group, t1, t2, t3]) if c[1] == "d"] == [("cmd-4", "d", False)]


@pytest.mark.parametrize("failing", ["b", "c"])
@pytest.mark.parametrize("failure_first", [True, False], ids=["failure-first", "success-first"])
def test_a_failure_waits_for_the_other_member_then_undoes_it_and_a(new_id, failing, failure_first):
    group = in_group(new_id)
    succeeding = "c" if failing == "b" else "b"
    order = [failing, succeeding] if failure_first else [succeeding, failing]

    t1 = applied(group.state, outcome(order[0], order[0] == succeeding), SENT[order[0]], new_id)
    assert t1.commands == ()  # the other member is still in flight
    expected = SagaStatus.COMPENSATING if failure_first else SagaStatus.RUNNING
    assert t1.state.status is expected
    assert len(t1.state.flights) == 1

    t2 = applied(t1.state, outcome(order[1], order[1] == succeeding), SENT[order[1]], new_id)
    assert t2.state.status is SagaStatus.COMPENSATING
    assert t2.state.failure == {
        "step": failing,
        "code": f"{failing}_refused",
        "reason": f"{failing} said no",
    }
    assert t2.state.flights == ()
    assert t2.state.steps[PARTY.step_index[failing]] is S.FAILED
    assert t2.state.steps[PARTY.step_index[succeeding]] is S.COMPENSATING
    assert [e.kind for e in t2.history] == ["reply_applied", "compensation_sent"]

    undone, end = undo_all(t2, new_id)
    assert undone == [succeeding, "a"]
    assert end.state.status is SagaStatus.COMPENSATED
    assert end.state.steps[A] is S.COMPENSATED
    assert end.state.steps[PARTY.step_index[succeeding]] is S.COMPENSATED
    assert end.state.steps[D] is S.PENDING


@pytest.mark.parametrize("order", list(permutations("bc")), ids="-then-".join)
def test_both_fail_in_either_order_only_a_is_undone_and_the_first_failure_stays(new_id, order):
    group = in_group(new_id)
    first, second = order

    t1 = applied(group.state, refused(first), SENT[first], new_id)
    assert t1.commands == ()
    assert t1.state.failure is not None
    assert t1.state.failure["step"] == first

    t2 = applied(t1.state, refused(second), SENT[second], new_id)
    assert t2.state.failure == {
        "step": first,
        "code": f"{first}_refused",
        "reason": f"{first} said no",
    }
    assert sent([t2]) == [("cmd-4", "a", True)]

    undone, end = undo_all(t2, new_id)
    assert undone == ["a"]
    assert end.state.status is SagaStatus.COMPENSATED
    assert end.state.steps == (S.COMPENSATED, S.FAILED, S.FAILED, S.PENDING)


@pytest.mark.parametrize("order", list(permutations("bc")), ids="-then-".join)
def test_d_fails_after_the_group_and_steps_are_undone_in_reverse_completion_order(new_id, order):
    state = in_group(new_id).state
    for name in order:
        state = applied(state, ok(name), SENT[name], new_id).state
    assert state.completed == (A, *(PARTY.step_index[name] for name in order))

    failed = applied(state, refused("d"), "cmd-4", new_id)

    undone, end = undo_all(failed, new_id)
    assert undone == [order[1], order[0], "a"]
    assert end.state.status is SagaStatus.COMPENSATED
    assert end.state.steps == (S.COMPENSATED, S.COMPENSATED, S.COMPENSATED, S.FAILED)
    assert end.state.failure == {"step": "d", "code": "d_refused", "reason": "d said no"}


def test_steps_committed_before_completion_order_was_recorded_are_undone_by_index(new_id):
    """A saga written by an older release has no ``completed``: its steps committed before
    any recorded one, so they are undone last, newest index first, as before."""
    state = in_group(new_id).state
    for name in "bc":
        state = applied(state, ok(name), SENT[name], new_id).state
    legacy = replace(state, completed=(C,))  # a and b committed before the upgrade

    undone, _ = undo_all(applied(legacy, refused("d"), "cmd-4", new_id), new_id)

    assert undone == ["c", "b", "a"]
