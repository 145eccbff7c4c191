"""Deadlines of a parallel group's members: each member is resent alone under its own id,
and a member out of attempts compensates or fails as its step says (the party saga)."""

from __future__ import annotations

from datetime import timedelta

from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.engine import Flight, HistoryEntry, Ignored, OutgoingCommand
from tests.unit.party_saga import (
    NOW,
    PARTY,
    SENT,
    B,
    C,
    Work,
    applied,
    due,
    exhaust_b,
    in_group,
    ok,
    party,
    reply,
    undo_all,
)
from tests.unit.saga_builders import S


def test_nothing_is_due_before_the_earliest_flight_deadline(new_id):
    state = in_group(new_id).state

    result = engine.on_deadline(PARTY, state, new_id, NOW + timedelta(seconds=9))

    assert isinstance(result, Ignored)


def test_a_member_past_its_deadline_is_resent_under_its_own_id_alone(new_id):
    state = in_group(new_id).state
    at = NOW + timedelta(seconds=10)

    t = due(state, at, new_id)

    assert t.commands == (OutgoingCommand("cmd-2", "b-service", "b", Work(step="b")),)
    assert t.history == (
        HistoryEntry(
            "command_resent",
            "b",
            {"type": "Work", "message_id": "cmd-2", "attempt": 2, "reason": "no reply after 10s"},
        ),
    )
    assert t.state.flights == (
        Flight(B, "cmd-2", 2, at + timedelta(seconds=20)),
        Flight(C, "cmd-3", 1, NOW + timedelta(seconds=40)),
    )
    assert t.state.deadline == at + timedelta(seconds=20)  # b's second, still the earliest
    assert t.state.status is SagaStatus.RUNNING


def test_members_due_together_are_resent_in_one_transition(new_id):
    state = in_group(new_id).state

    t = due(state, NOW + timedelta(seconds=40), new_id)

    assert [(c.message_id, c.step) for c in t.commands] == [("cmd-2", "b"), ("cmd-3", "c")]
    assert [f.attempt for f in t.state.flights] == [2, 2]


def test_a_member_out_of_attempts_that_compensates_waits_for_the_other(new_id):
    definition = party(b={"on_exhausted": "compensate"})
    state = in_group(new_id, definition).state

    t = exhaust_b(state, new_id, definition)

    reason = "no reply from b-service to b after 2 attempts"
    assert t.commands == ()  # c is in flight: its outcome decides whether it is undone
    assert t.history == (HistoryEntry("timed_out", "b", {"reason": reason}),)
    assert t.state.status is SagaStatus.COMPENSATING
    assert t.state.failure == {"step": "b", "code": "timeout", "reason": reason}
    assert t.state.steps[B] is S.TIMED_OUT
    assert [f.step for f in t.state.flights] == [C]

    undone, end = undo_all(
        applied(t.state, ok("c"), SENT["c"], new_id, definition), new_id, definition
    )
    assert undone == ["c", "a"]
    assert end.state.status is SagaStatus.COMPENSATED


def test_the_last_member_out_of_attempts_that_compensates_starts_the_undo(new_id):
    definition = party(b={"on_exhausted": "compensate"})
    state = in_group(new_id, definition).state
    state = applied(state, ok("c"), SENT["c"], new_id, definition).state

    t = exhaust_b(state, new_id, definition)

    assert [e.kind for e in t.history] == ["timed_out", "compensation_sent"]
    undone, _ = undo_all(t, new_id, definition)
    assert undone == ["c", "a"]


def test_a_member_out_of_attempts_that_fails_fails_the_saga_and_keeps_the_flights(new_id):
    state = in_group(new_id).state

    t = exhaust_b(state, new_id, PARTY)

    error = "no reply from b-service to b after 2 attempts"
    assert t.commands == ()
    assert t.history == (HistoryEntry("failed", "b", {"error": error}),)
    assert t.state.status is SagaStatus.FAILED
    assert t.state.error == error
    assert t.state.deadline is None  # the sweeper leaves it alone
    assert t.state.steps == (S.SUCCEEDED, S.TIMED_OUT, S.RUNNING, S.PENDING)
    # both unanswered: c's late reply is ignored now, and a retry sends both again
    assert [f.message_id for f in t.state.flights] == ["cmd-2", "cmd-3"]
    for name in "bc":
        assert isinstance(reply(t.state, ok(name), SENT[name], new_id), Ignored)
    assert isinstance(engine.cancel(PARTY, t.state, "too late", new_id, NOW), Ignored)
