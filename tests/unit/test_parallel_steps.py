"""Parallel step groups: a made-up party saga books the venue (a), then hires the band (b)
and orders the catering (c) at the same time, then sends the invitations (d).

Every interleaving of the two group replies is driven, with and without failures: nothing
is undone while a member is in flight, and what committed is undone newest commit first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from messaging.contracts import MessageKind, Payload
from messaging.contracts.saga_status import SagaStatus
from messaging.database import build_engine, create_schema
from orchestrator import engine
from orchestrator.definition import (
    Approval,
    Compensation,
    RetryPolicy,
    SagaDefinition,
    Step,
    scaled,
)
from orchestrator.engine import (
    Flight,
    HistoryEntry,
    Ignored,
    OutgoingCommand,
    SagaState,
    StepStatus,
    Transition,
)
from orchestrator.saga_store.rows import load_for_update, state_columns, state_of
from orchestrator.saga_store.tables import metadata, sagas
from sagas.checkout.definition import CHECKOUT

S = StepStatus
IdFactory = Callable[[], str]
NOW = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
A, B, C, D = 0, 1, 2, 3
# start sends a's command, a's success both group commands, the next one goes to d (or
# to the first compensation)
SENT = {"a": "cmd-1", "b": "cmd-2", "c": "cmd-3"}


# --- messages of the party saga (deliberately not in the catalog) -------------------------


class Work(Payload):
    message_type = "Work"
    kind = MessageKind.COMMAND

    step: str


class Worked(Payload):
    message_type = "Worked"
    kind = MessageKind.REPLY

    step: str
    ref: str


class Refused(Payload):
    message_type = "Refused"
    kind = MessageKind.REPLY

    step: str
    code: str
    reason: str


class Undo(Payload):
    message_type = "Undo"
    kind = MessageKind.COMMAND

    step: str
    ref: str


class Undone(Payload):
    message_type = "Undone"
    kind = MessageKind.REPLY

    step: str


def step(name: str, **fields: Any) -> Step:
    """A step whose success keeps ``<name>_ref``, which its compensation sends back;
    ``fields`` replace any of its fields."""
    plain = Step(
        name=name,
        service=f"{name}-service",
        command=lambda _d: Work(step=name),
        success_on={"Worked": lambda r: {f"{r.step}_ref": r.ref}},
        failure_on=frozenset({"Refused"}),
        compensation=Compensation(
            command=lambda d: Undo(step=name, ref=d[f"{name}_ref"]),
            done_on=frozenset({"Undone"}),
        ),
    )
    return replace(plain, **fields)


B_POLICY = RetryPolicy(timeout=10.0, max_attempts=2, backoff=2.0)
C_POLICY = RetryPolicy(timeout=40.0, max_attempts=2, backoff=2.0)


def party(**overrides: dict[str, Any]) -> SagaDefinition:
    """The party saga; ``b={"on_exhausted": "compensate"}`` changes one step's fields."""
    steps = (
        step("a"),
        step("b", group="music_and_food", policy=B_POLICY),
        step("c", group="music_and_food", policy=C_POLICY),
        step("d", compensation=None),
    )
    return SagaDefinition(
        name="party",
        steps=tuple(replace(s, **overrides.get(s.name, {})) for s in steps),
    )


PARTY = party()


def ok(name: str) -> Worked:
    return Worked(step=name, ref=f"{name}-ref")


def refused(name: str) -> Refused:
    return Refused(step=name, code=f"{name}_refused", reason=f"{name} said no")


def outcome(name: str, succeeds: bool) -> Payload:
    return ok(name) if succeeds else refused(name)


def reply(
    state: SagaState,
    payload: Payload,
    causation_id: str | None,
    new_id: IdFactory,
    definition: SagaDefinition = PARTY,
) -> Transition | Ignored:
    return engine.on_reply(
        definition, state, payload.message_type, causation_id, payload, new_id=new_id, now=NOW
    )


def applied(
    state: SagaState,
    payload: Payload,
    causation_id: str | None,
    new_id: IdFactory,
    definition: SagaDefinition = PARTY,
) -> Transition:
    result = reply(state, payload, causation_id, new_id, definition)
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result


def due(
    state: SagaState, at: datetime, new_id: IdFactory, definition: SagaDefinition = PARTY
) -> Transition:
    result = engine.on_deadline(definition, state, new_id, at)
    assert isinstance(result, Transition), result
    return result


def in_group(new_id: IdFactory, definition: SagaDefinition = PARTY) -> Transition:
    """Start, and a's success: b and c in flight."""
    state = engine.start(definition, {"party": "p-1"}, new_id, NOW).state
    return applied(state, ok("a"), SENT["a"], new_id, definition)


def undo_all(
    transition: Transition, new_id: IdFactory, definition: SagaDefinition = PARTY
) -> tuple[list[str], Transition]:
    """Answer each compensation as it goes out; the steps undone, in order, and the end."""
    undone = []
    while transition.state.status is SagaStatus.COMPENSATING:
        (command,) = transition.commands
        assert command.compensation
        assert command.payload == Undo(step=command.step, ref=f"{command.step}-ref")
        undone.append(command.step)
        transition = applied(
            transition.state, Undone(step=command.step), command.message_id, new_id, definition
        )
    return undone, transition


def sent(transitions: Iterable[Transition]) -> list[tuple[str, str, bool]]:
    return [(c.message_id, c.step, c.compensation) for t in transitions for c in t.commands]


# --- stages -------------------------------------------------------------------------------


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


# --- the group goes out together ----------------------------------------------------------


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


# --- every interleaving of the two replies ------------------------------------------------


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


# --- stale and duplicate replies ----------------------------------------------------------


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


# --- deadlines ----------------------------------------------------------------------------


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


def exhaust_b(state: SagaState, new_id: IdFactory, definition: SagaDefinition) -> Transition:
    """b's deadline passes twice (two attempts); c has answered or is not due yet."""
    state = due(state, NOW + timedelta(seconds=10), new_id, definition).state
    (b_flight,) = [f for f in state.flights if f.step == B]
    return due(state, b_flight.deadline, new_id, definition)


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


# --- operator actions ---------------------------------------------------------------------


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


# --- definition validation ----------------------------------------------------------------


def test_members_of_a_group_must_be_consecutive():
    with pytest.raises(ValueError, match=r"group 'g': its steps \['b', 'd'\] are not consecutive"):
        SagaDefinition("apart", (step("a"), step("b", group="g"), step("c"), step("d", group="g")))


def test_a_group_of_one_step_is_rejected():
    with pytest.raises(ValueError, match=r"group 'g' has one step \('b'\)"):
        SagaDefinition("lonely", (step("a"), step("b", group="g"), step("c")))


def test_an_approval_in_a_group_is_rejected():
    review = Approval(needed=lambda _d: True)
    with pytest.raises(ValueError, match=r"step 'c': an approval is not supported in a group"):
        SagaDefinition("reviewed", (step("b", group="g"), step("c", group="g", approval=review)))


def test_an_unknown_outcome_in_a_group_is_rejected():
    query = step(
        "c",
        group="g",
        status_query=lambda _d: Work(step="c"),
        unknown_on={"Refused": lambda _r: {}},
        failure_on=frozenset(),
    )
    with pytest.raises(ValueError, match=r"step 'c': an unknown outcome .* not supported in a"):
        SagaDefinition("unknown", (step("b", group="g"), query))


# --- the row ------------------------------------------------------------------------------


def test_a_group_in_flight_survives_the_row_round_trip(tmp_path: Path, new_id):
    state = applied(in_group(new_id).state, ok("c"), SENT["c"], new_id).state
    store = build_engine(f"sqlite:///{tmp_path / 'orchestrator.db'}")
    create_schema(store, metadata)
    columns = state_columns(PARTY, state)
    assert columns["flights"] == [
        {"step": "b", "message_id": "cmd-2", "attempt": 1, "deadline": "2026-05-01T18:00:10+00:00"}
    ]
    assert columns["completed"] == ["a", "c"]
    assert columns["current_step"] == "b"
    assert columns["awaiting"] is None
    assert columns["deadline"] == NOW + timedelta(seconds=10)

    with store.begin() as conn:
        conn.execute(insert(sagas).values(**row_keys("s-1"), **columns))
        row = load_for_update(conn, "s-1")
    store.dispose()

    assert row is not None
    assert state_of(PARTY, row) == state


def test_a_row_without_flights_or_completed_reads_as_empty(tmp_path: Path, new_id):
    state = engine.start(PARTY, {}, new_id, NOW).state
    store = build_engine(f"sqlite:///{tmp_path / 'orchestrator.db'}")
    create_schema(store, metadata)
    columns = {**state_columns(PARTY, state), "flights": None, "completed": None}

    with store.begin() as conn:
        conn.execute(insert(sagas).values(**row_keys("s-1"), **columns))
        row = load_for_update(conn, "s-1")
    store.dispose()

    assert row is not None
    assert row.flights is None
    assert state_of(PARTY, row) == state


def row_keys(saga_id: str) -> dict[str, Any]:
    return {
        "saga_id": saga_id,
        "definition": "party",
        "business_key": "p-1",
        "correlation_id": "corr-1",
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
