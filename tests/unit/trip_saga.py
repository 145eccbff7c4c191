"""A made-up trip booking saga for the engine's tests, its messages deliberately not in the
catalog: book a flight (undone by cancelling it), choose a seat (nothing to undo), book a
hotel."""

from __future__ import annotations

from collections.abc import Mapping

from messaging.contracts import MessageKind, Payload
from orchestrator.definition import Compensation, SagaData, SagaDefinition, Step
from orchestrator.engine import SagaState, Transition
from tests.unit.saga_builders import IdFactory, applied

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
    """The transition of ``reply`` to the command the saga awaits."""
    return applied(definition, state, reply, state.awaiting, new_id)
