"""The engine runs any SagaDefinition, not only checkout: the made-up trip booking saga
(tests/unit/trip_saga.py) succeeds, is undone past a step with nothing to undo, and emits
the events its definition builds, or none."""

from __future__ import annotations

from messaging.contracts import catalog
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.definition import SagaDefinition, Step
from orchestrator.engine import HistoryEntry, Ignored, OutgoingCommand
from tests.unit.saga_builders import S, assert_at_rest, assert_awaiting, kinds
from tests.unit.trip_saga import (
    DATA,
    TRIP,
    BookFlight,
    BookHotel,
    CancelFlight,
    ChooseSeat,
    FlightBooked,
    FlightCancelled,
    FlightFull,
    HotelBooked,
    HotelUnavailable,
    SeatChosen,
    TripAbandoned,
    TripBooked,
    apply,
)


def test_trip_messages_are_not_in_the_catalog():
    assert {"BookFlight", "FlightBooked", "BookHotel", "TripBooked"}.isdisjoint(catalog().types)


def test_definition_indexes_its_steps():
    assert TRIP.step_index == {"book_flight": 0, "choose_seat": 1, "book_hotel": 2}


def test_trip_succeeds_through_every_step(new_id):
    t0 = engine.start(TRIP, DATA, new_id)
    assert t0.commands == (
        OutgoingCommand(
            "cmd-1", "flights", "book_flight", BookFlight(trip_id="trip-7", flight="LH123")
        ),
    )
    assert t0.state.steps == (S.RUNNING, S.PENDING, S.PENDING)

    t1 = apply(TRIP, t0.state, FlightBooked(trip_id="trip-7", booking_ref="BK-1"), new_id)
    assert t1.commands == (
        OutgoingCommand(
            "cmd-2", "seats", "choose_seat", ChooseSeat(trip_id="trip-7", booking_ref="BK-1")
        ),
    )
    assert t1.state.current_step == 1
    assert t1.state.awaiting == "cmd-2"

    t2 = apply(TRIP, t1.state, SeatChosen(trip_id="trip-7", seat="12A"), new_id)
    assert t2.commands == (
        OutgoingCommand("cmd-3", "hotels", "book_hotel", BookHotel(trip_id="trip-7", nights=3)),
    )
    assert t2.state.steps == (S.SUCCEEDED, S.SUCCEEDED, S.RUNNING)

    t3 = apply(TRIP, t2.state, HotelBooked(trip_id="trip-7", hotel_ref="H-9"), new_id)
    assert_at_rest(t3, SagaStatus.COMPLETED, (S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED))
    assert t3.state.data == {
        **DATA,
        "booking_ref": "BK-1",
        "seat": "12A",
        "hotel_ref": "H-9",
    }
    assert t3.events == (
        TripBooked(trip_id="trip-7", booking_ref="BK-1", seat="12A", hotel_ref="H-9"),
    )
    assert t3.history == (
        HistoryEntry("reply_applied", "book_hotel", {"type": "HotelBooked"}),
        HistoryEntry("completed", None, {}),
    )


def test_hotel_failure_skips_the_step_without_compensation_and_cancels_the_flight(new_id):
    state = engine.start(TRIP, DATA, new_id).state
    state = apply(TRIP, state, FlightBooked(trip_id="trip-7", booking_ref="BK-1"), new_id).state
    state = apply(TRIP, state, SeatChosen(trip_id="trip-7", seat="12A"), new_id).state

    unavailable = HotelUnavailable(trip_id="trip-7", code="sold_out", reason="no rooms")
    t1 = apply(TRIP, state, unavailable, new_id)

    cancel = OutgoingCommand(
        "cmd-4",
        "flights",
        "book_flight",
        CancelFlight(trip_id="trip-7", booking_ref="BK-1"),
        compensation=True,
    )
    # choose_seat has no compensation: it stays succeeded and is skipped
    assert_awaiting(t1, (S.COMPENSATING, S.SUCCEEDED, S.FAILED), cancel)
    assert t1.state.failure == {"step": "book_hotel", "code": "sold_out", "reason": "no rooms"}
    assert t1.history[1] == HistoryEntry(
        "compensation_sent", "book_flight", {"type": "CancelFlight", "message_id": "cmd-4"}
    )

    t2 = apply(TRIP, t1.state, FlightCancelled(trip_id="trip-7"), new_id)

    assert_at_rest(t2, SagaStatus.COMPENSATED, (S.COMPENSATED, S.SUCCEEDED, S.FAILED))
    assert t2.events == (TripAbandoned(trip_id="trip-7", step="book_hotel", code="sold_out"),)
    assert kinds(t2) == ["reply_applied", "compensated"]


def test_failure_reply_without_code_or_reason_is_recorded_by_its_type(new_id):
    state = engine.start(TRIP, DATA, new_id).state

    t = apply(TRIP, state, FlightFull(trip_id="trip-7"), new_id)

    assert t.state.status is SagaStatus.COMPENSATED
    assert t.state.steps == (S.FAILED, S.PENDING, S.PENDING)
    assert t.state.failure == {"step": "book_flight", "code": "FlightFull", "reason": "FlightFull"}
    assert t.events == (TripAbandoned(trip_id="trip-7", step="book_flight", code="FlightFull"),)


def test_replies_of_another_definition_are_ignored(new_id):
    state = engine.start(TRIP, DATA, new_id).state
    hotel = HotelBooked(trip_id="trip-7", hotel_ref="H-9")

    result = engine.on_reply(TRIP, state, hotel.message_type, "cmd-1", hotel, new_id=new_id)

    assert isinstance(result, Ignored)
    assert "HotelBooked" in result.reason
    assert "book_flight" in result.reason


def test_definition_without_event_builders_emits_no_events(new_id):
    single = SagaDefinition(
        name="single",
        steps=(
            Step(
                name="book_hotel",
                service="hotels",
                command=lambda d: BookHotel(trip_id=d["trip_id"], nights=d["nights"]),
                success_on={"HotelBooked": lambda r: {}},
                failure_on=frozenset({"HotelUnavailable"}),
            ),
        ),
    )
    booked = apply(
        single,
        engine.start(single, DATA, new_id).state,
        HotelBooked(trip_id="trip-7", hotel_ref="H-9"),
        new_id,
    )
    refused = apply(
        single,
        engine.start(single, DATA, new_id).state,
        HotelUnavailable(trip_id="trip-7", code="sold_out", reason="no rooms"),
        new_id,
    )

    assert booked.state.status is SagaStatus.COMPLETED
    assert booked.state.data == DATA  # the recorder kept nothing
    assert booked.events == ()
    assert refused.state.status is SagaStatus.COMPENSATED
    assert refused.events == ()
