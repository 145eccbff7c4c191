"""A parallel step group is one stage: entering it sends every member's command at once,
and the steps record the order they completed in (the party saga, tests/unit/party_saga.py)."""

from __future__ import annotations

from datetime import timedelta

from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.definition import SagaDefinition, scaled
from orchestrator.engine import Flight, HistoryEntry, OutgoingCommand
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.party_saga import NOW, PARTY, A, B, C, D, Work, applied, in_group, ok, sent, step
from tests.unit.saga_builders import S


def test_checkout_is_three_stages_of_one():
    assert CHECKOUT.stages == ((0,), (1,), (2,))


def test_consecutive_steps_of_a_group_are_one_stage():
    assert PARTY.stages == ((A,), (B, C), (D,))
    assert PARTY.step_index == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert [s.name for s in PARTY.steps] == ["a", "b", "c", "d"]


def test_scaled_definition_keeps_its_groups():
    half = scaled(PARTY, 0.5)

    assert half.stages == PARTY.stages
    assert [s.group for s in half.steps] == [None, "music_and_food", "music_and_food", None]
    assert half.steps[B].policy.timeout == 5.0


def test_entering_the_group_sends_every_member_command_at_once(new_id):
    t = in_group(new_id)

    assert t.commands == (
        OutgoingCommand("cmd-2", "b-service", "b", Work(step="b")),
        OutgoingCommand("cmd-3", "c-service", "c", Work(step="c")),
    )
    assert t.history == (
        HistoryEntry("reply_applied", "a", {"type": "Worked"}),
        HistoryEntry("command_sent", "b", {"type": "Work", "message_id": "cmd-2"}),
        HistoryEntry("command_sent", "c", {"type": "Work", "message_id": "cmd-3"}),
    )
    assert t.state.status is SagaStatus.RUNNING
    assert t.state.steps == (S.SUCCEEDED, S.RUNNING, S.RUNNING, S.PENDING)
    assert t.state.flights == (
        Flight(B, "cmd-2", 1, NOW + timedelta(seconds=10)),
        Flight(C, "cmd-3", 1, NOW + timedelta(seconds=40)),
    )
    # the scalar fields belong to a step alone; the deadline is the earliest flight's
    assert t.state.current_step == B
    assert t.state.awaiting is None
    assert t.state.attempt == 0
    assert t.state.deadline == NOW + timedelta(seconds=10)
    assert t.state.completed == (A,)


def test_a_saga_may_start_with_a_group(new_id):
    definition = SagaDefinition(
        "two_at_once", (step("b", group="g"), step("c", group="g"), step("d"))
    )

    t = engine.start(definition, {}, new_id, NOW)

    assert sent([t]) == [("cmd-1", "b", False), ("cmd-2", "c", False)]
    assert [e.kind for e in t.history] == ["started", "command_sent", "command_sent"]
    assert t.state.current_step == 0


def test_sequential_steps_record_their_completion_order_too(new_id):
    state = engine.start(PARTY, {}, new_id, NOW).state
    assert state.completed == ()

    assert applied(state, ok("a"), "cmd-1", new_id).state.completed == (A,)
