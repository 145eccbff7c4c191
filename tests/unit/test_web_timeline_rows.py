"""The web view's timeline: the saga's history and every service's records merged in time
order, each row with its time since the start and since the row before."""

from __future__ import annotations

from console.web.app import duration
from console.web.views import timeline_rows
from messaging.contracts.read_models import SagaView, TrailEntry
from tests.unit.sagactl_stand_in import entry, saga_view

START = "2026-12-01T10:00:00+00:00"
SAGA = SagaView.model_validate(
    saga_view(
        created_at=START,
        history=[
            entry("started", at=START),
            entry(
                "command_sent",
                "reserve_inventory",
                at="2026-12-01T10:00:00.010000+00:00",
                message_type="ReserveInventory",
            ),
            entry(
                "reply_applied",
                "reserve_inventory",
                at="2026-12-01T10:00:00.050000",  # SQLite: naive UTC, merged all the same
                message_type="InventoryReserved",
            ),
        ],
    )
)
TRAILS = {
    "inventory": [TrailEntry(at="2026-12-01T10:00:00.030000+00:00", what="reserved 2 x BOOK")],
    "reactor.email": [TrailEntry(at="2026-12-01T10:00:01.250000+00:00", what="email sent")],
}


def test_rows_are_merged_in_time_order_with_their_sources() -> None:
    rows = timeline_rows(SAGA, TRAILS)
    assert [(r.source, r.service, r.what) for r in rows] == [
        ("orchestrator", "orchestrator", "started"),
        ("orchestrator", "orchestrator", "command_sent"),
        ("participant", "inventory", "reserved 2 x BOOK"),
        ("reply", "orchestrator", "reply_applied"),
        ("reactor", "reactor.email", "email sent"),
    ]
    assert [r.step for r in rows[:2]] == ["", "reserve_inventory"]


def test_each_row_has_its_time_since_start_and_since_the_previous_row() -> None:
    rows = timeline_rows(SAGA, TRAILS)
    assert [r.since_start_ms for r in rows] == [0, 10, 30, 50, 1250]
    assert [r.since_previous_ms for r in rows] == [0, 10, 20, 20, 1200]


def test_a_saga_without_records_elsewhere_still_has_its_history() -> None:
    rows = timeline_rows(SAGA, {})
    assert [r.what for r in rows] == ["started", "command_sent", "reply_applied"]


def test_durations_read_as_people_say_them() -> None:
    assert duration(85) == "+85 ms"
    assert duration(1250) == "+1.250 s"
    assert duration(125_000) == "+2 min 05 s"
