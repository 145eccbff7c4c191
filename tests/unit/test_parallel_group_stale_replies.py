"""Replies to a parallel group that are stale, duplicated or of another type are ignored,
and the flights in hand are kept (the party saga, tests/unit/party_saga.py)."""

from __future__ import annotations

from messaging.contracts.saga_status import SagaStatus
from orchestrator.engine import Ignored
from tests.unit.party_saga import (
    SENT,
    B,
    Undone,
    applied,
    in_group,
    ok,
    refused,
    reply,
    sent,
    undo_all,
)
from tests.unit.saga_builders import S


def test_a_member_reply_again_is_ignored_while_the_other_is_in_flight(new_id):
    state = applied(in_group(new_id).state, ok("b"), SENT["b"], new_id).state

    for payload in (ok("b"), refused("b")):
        result = reply(state, payload, SENT["b"], new_id)
        assert isinstance(result, Ignored)
        assert result.reason == f"{payload.message_type} answers cmd-2, saga waits on cmd-3"

    assert applied(state, ok("c"), SENT["c"], new_id).commands[0].step == "d"


def test_replies_to_the_group_after_it_moved_on_are_ignored(new_id):
    state = in_group(new_id).state
    for name in "bc":
        state = applied(state, ok(name), SENT[name], new_id).state
    assert state.awaiting == "cmd-4"

    for name in "abc":
        for payload in (ok(name), refused(name)):
            result = reply(state, payload, SENT[name], new_id)
            assert isinstance(result, Ignored), (name, payload)
            assert "saga waits on cmd-4" in result.reason


def test_replies_matching_no_flight_are_ignored(new_id):
    state = in_group(new_id).state

    for causation_id in ("cmd-1", "cmd-99", None):
        result = reply(state, ok("b"), causation_id, new_id)
        assert isinstance(result, Ignored)
        assert result.reason == f"Worked answers {causation_id}, saga waits on cmd-2, cmd-3"


def test_a_reply_of_another_type_to_a_member_is_ignored_and_its_flight_kept(new_id):
    state = in_group(new_id).state

    result = reply(state, Undone(step="b"), SENT["b"], new_id)

    assert result == Ignored("Undone is not an expected reply of b while running")
    assert applied(state, ok("b"), SENT["b"], new_id).state.steps[B] is S.SUCCEEDED


def test_a_failed_member_duplicate_is_ignored_while_the_other_is_waited_for(new_id):
    state = applied(in_group(new_id).state, refused("b"), SENT["b"], new_id).state

    assert isinstance(reply(state, refused("b"), SENT["b"], new_id), Ignored)
    assert isinstance(reply(state, ok("b"), SENT["b"], new_id), Ignored)
    assert sent([applied(state, ok("c"), SENT["c"], new_id)]) == [("cmd-4", "c", True)]


def test_a_member_reply_after_the_saga_ended_is_ignored(new_id):
    state = in_group(new_id).state
    state = applied(state, refused("b"), SENT["b"], new_id).state
    _, end = undo_all(applied(state, refused("c"), SENT["c"], new_id), new_id)
    assert end.state.status is SagaStatus.COMPENSATED

    for name in "bc":
        assert reply(end.state, ok(name), SENT[name], new_id) == Ignored(
            "saga is already compensated"
        )
