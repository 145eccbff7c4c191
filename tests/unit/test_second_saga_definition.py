"""The engine runs any SagaDefinition, not only checkout: a made-up trip booking saga."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from messaging.contracts import MessageKind, Payload, catalog
from messaging.contracts.saga_status import SagaStatus
from orchestrator import engine
from orchestrator.definition import Compensation, SagaData, SagaDefinition, Step
from orchestrator.engine import (
    HistoryEntry,
    Ignored,
    OutgoingCommand,
    SagaState,
    StepStatus,
    Transition,
)

S = StepStatus
IdFactory = Callable[[], str]


# --- messages of the trip saga (deliberately not in the catalog) --------------------------


class BookFlight(Payload):
    message_type = "BookFlight"
    kind = MessageKind.COMMAND

    trip_id: str
    flight: str


class FlightBooked(Payload):
    message_type = "FlightBooked"
    kind = MessageKind.REPLY

    trip_id: str
    booking_ref: str


class FlightFull(Payload):
    message_type = "FlightFull"
    kind = MessageKind.REPLY

    trip_id: str  # no code, no reason: the engine falls back to the type name


class CancelFlight(Payload):
    message_type = "CancelFlight"
    kind = MessageKind.COMMAND

    trip_id: str
    booking_ref: str


class FlightCancelled(Payload):
    message_type = "FlightCancelled"
    kind = MessageKind.REPLY

    trip_id: str


class ChooseSeat(Payload):
    message_type = "ChooseSeat"
    kind = MessageKind.COMMAND

    trip_id: str
    booking_ref: str


class SeatChosen(Payload):
    message_type = "SeatChosen"
    kind = MessageKind.REPLY

    trip_id: str
    seat: str


class BookHotel(Payload):
    message_type = "BookHotel"
    kind = MessageKind.COMMAND

    trip_id: str
    nights: int


class HotelBooked(Payload):
    message_type = "HotelBooked"
    kind = MessageKind.REPLY

    trip_id: str
    hotel_ref: str


class HotelUnavailable(Payload):
    message_type = "HotelUnavailable"
    kind = MessageKind.REPLY

    trip_id: str
    code: str
    reason: str


class TripBooked(Payload):
    message_type = "TripBooked"
    kind = MessageKind.EVENT

    trip_id: str
    booking_ref: str
    seat: str
    hotel_ref: str


class TripAbandoned(Payload):
    message_type = "TripAbandoned"
    kind = MessageKind.EVENT

    trip_id: str
    step: str
    code: str


def trip_booked(data: SagaData, _failure: Mapping[str, str]) -> TripBooked:
    return TripBooked(
        trip_id=data["trip_id"],
        booking_ref=data["booking_ref"],
        seat=data["seat"],
        hotel_ref=data["hotel_ref"],
    )


def trip_abandoned(data: SagaData, failure: Mapping[str, str]) -> TripAbandoned:
    return TripAbandoned(trip_id=data["trip_id"], step=failure["step"], code=failure["code"])


TRIP = SagaDefinition(
    name="trip",
    steps=(
        Step(
            name="book_flight",
            service="flights",
            command=lambda d: BookFlight(trip_id=d["trip_id"], flight=d["flight"]),
            success_on={"FlightBooked": lambda r: {"booking_ref": r.booking_ref}},
            failure_on=frozenset({"FlightFull"}),
            compensation=Compensation(
                command=lambda d: CancelFlight(trip_id=d["trip_id"], booking_ref=d["booking_ref"]),
                done_on=frozenset({"FlightCancelled"}),
            ),
        ),
        Step(  # nothing to undo: a chosen seat goes with the cancelled flight
            name="choose_seat",
            service="seats",
            command=lambda d: ChooseSeat(trip_id=d["trip_id"], booking_ref=d["booking_ref"]),
            success_on={"SeatChosen": lambda r: {"seat": r.seat}},
        ),
        Step(
            name="book_hotel",
            service="hotels",
            command=lambda d: BookHotel(trip_id=d["trip_id"], nights=d["nights"]),
            success_on={"HotelBooked": lambda r: {"hotel_ref": r.hotel_ref}},
            failure_on=frozenset({"HotelUnavailable"}),
        ),
    ),
    on_completed=trip_booked,
    on_compensated=trip_abandoned,
)

DATA = {"trip_id": "trip-7", "flight": "LH123", "nights": 3}


def apply(
    definition: SagaDefinition,
    state: SagaState,
    reply: Payload,
    new_id: IdFactory,
) -> Transition:
    result = engine.on_reply(
        definition, state, reply.message_type, state.awaiting, reply, new_id=new_id
    )
    assert isinstance(result, Transition), f"reply was ignored: {result}"
    return result


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
    assert t3.state.status is SagaStatus.COMPLETED
    assert t3.state.steps == (S.SUCCEEDED, S.SUCCEEDED, S.SUCCEEDED)
    assert t3.state.current_step is None
    assert t3.state.awaiting is None
    assert t3.state.data == {
        **DATA,
        "booking_ref": "BK-1",
        "seat": "12A",
        "hotel_ref": "H-9",
    }
    assert t3.commands == ()
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

    assert t1.state.status is SagaStatus.COMPENSATING
    # choose_seat has no compensation: it stays succeeded and is skipped
    assert t1.state.steps == (S.COMPENSATING, S.SUCCEEDED, S.FAILED)
    assert t1.state.current_step == 0
    assert t1.state.awaiting == "cmd-4"
    assert t1.state.failure == {"step": "book_hotel", "code": "sold_out", "reason": "no rooms"}
    assert t1.commands == (
        OutgoingCommand(
            "cmd-4",
            "flights",
            "book_flight",
            CancelFlight(trip_id="trip-7", booking_ref="BK-1"),
            compensation=True,
        ),
    )
    assert t1.history[1] == HistoryEntry(
        "compensation_sent", "book_flight", {"type": "CancelFlight", "message_id": "cmd-4"}
    )

    t2 = apply(TRIP, t1.state, FlightCancelled(trip_id="trip-7"), new_id)

    assert t2.state.status is SagaStatus.COMPENSATED
    assert t2.state.steps == (S.COMPENSATED, S.SUCCEEDED, S.FAILED)
    assert t2.state.current_step is None
    assert t2.state.awaiting is None
    assert t2.commands == ()
    assert t2.events == (TripAbandoned(trip_id="trip-7", step="book_hotel", code="sold_out"),)
    assert [entry.kind for entry in t2.history] == ["reply_applied", "compensated"]


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


# --- definition validation ----------------------------------------------------------------


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
