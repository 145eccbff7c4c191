"""A saga definition is checked when it is built: a bad one raises at import, not when a
saga reaches the bad step."""

from __future__ import annotations

import pytest

from orchestrator.definition import Approval, SagaDefinition, Step
from tests.unit.party_saga import Work, step
from tests.unit.trip_saga import BookHotel


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


def _step(name: str, success: str = "HotelBooked", failure: frozenset[str] = frozenset()) -> Step:
    return Step(
        name=name,
        service="hotels",
        command=lambda d: BookHotel(trip_id=d["trip_id"], nights=1),
        success_on={success: lambda r: {}},
        failure_on=failure,
    )


def test_duplicate_step_names_are_rejected():
    with pytest.raises(ValueError, match=r"saga 'dup' has duplicate step names"):
        SagaDefinition(name="dup", steps=(_step("a"), _step("b"), _step("a")))


def test_empty_steps_are_rejected():
    with pytest.raises(ValueError, match=r"saga 'empty' has no steps"):
        SagaDefinition(name="empty", steps=())


def test_reply_type_both_success_and_failure_is_rejected():
    step = _step("book_hotel", success="HotelBooked", failure=frozenset({"HotelBooked", "X"}))
    with pytest.raises(ValueError, match=r"step 'book_hotel': .*HotelBooked.* both success"):
        SagaDefinition(name="ambiguous", steps=(step,))
