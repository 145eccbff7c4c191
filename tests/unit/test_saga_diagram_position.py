"""A saga's position marked on its diagram: where it is, what is done, what failed and what
was undone, read from a get_saga result."""

from __future__ import annotations

import pytest

from orchestrator.diagram import Position, mermaid
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.diagram_reading import DISPATCH

# the nodes a checkout has passed once its payment is charged, in the chart's order
CHARGED = [
    "start",
    "admit",
    "step_reserve_inventory",
    "review_charge_payment",
    "step_charge_payment",
]


def test_without_a_position_nothing_is_marked() -> None:
    assert "classDef" not in mermaid(CHECKOUT)
    assert "class " not in mermaid(CHECKOUT)


@pytest.mark.parametrize(
    ("state", "steps", "marks"),
    [
        (
            "running",
            {"reserve_inventory": "succeeded", "charge_payment": "running"},
            {
                "current": ["step_charge_payment"],
                "done": CHARGED[:4],
            },
        ),
        (
            "awaiting_approval",
            {"reserve_inventory": "succeeded", "charge_payment": "awaiting_approval"},
            {
                "current": ["review_charge_payment"],
                "done": CHARGED[:3],
            },
        ),
        (
            "compensating",
            {
                "reserve_inventory": "succeeded",
                "charge_payment": "compensating",
                "create_shipment": "failed",
            },
            {
                "current": ["undo_charge_payment"],
                "done": CHARGED,
                "failed": ["step_create_shipment"],
            },
        ),
        (
            "compensated",
            {"reserve_inventory": "compensated", "charge_payment": "failed"},
            {
                "current": ["saga_compensated"],
                "done": ["start", "admit", "undo_reserve_inventory"],
                "failed": ["step_charge_payment"],
                "compensated": ["step_reserve_inventory"],
            },
        ),
        (
            "completed",
            dict.fromkeys(("reserve_inventory", "charge_payment", "create_shipment"), "succeeded"),
            {
                "current": ["saga_completed"],
                "done": [*CHARGED, "step_create_shipment"],
            },
        ),
        (
            "failed",
            {"reserve_inventory": "succeeded", "charge_payment": "compensation_failed"},
            {
                "done": CHARGED,
                "failed": ["undo_charge_payment"],
            },
        ),
    ],
    ids=["running", "awaiting", "compensating", "compensated", "completed", "failed"],
)
def test_a_position_marks_where_the_saga_is(
    state: str, steps: dict[str, str], marks: dict[str, list[str]]
) -> None:
    text = mermaid(CHECKOUT, Position(state, steps))
    lines = text.splitlines()

    assert text.startswith(mermaid(CHECKOUT))  # the same chart, marks added at the end
    assert [line.split()[1] for line in lines if line.startswith("    classDef ")] == [
        "current",
        "done",
        "failed",
        "compensated",
    ]
    assert {
        line.split()[2]: line.split()[1].split(",")
        for line in lines
        if line.startswith("    class ")
    } == marks


def test_a_position_is_read_from_a_get_saga_result() -> None:
    saga = {
        "state": "running",
        "steps": [
            {"name": "reserve_inventory", "status": "succeeded"},
            {"name": "charge_payment", "status": "running"},
        ],
    }
    assert Position.of(saga) == Position(
        "running", {"reserve_inventory": "succeeded", "charge_payment": "running"}
    )
    assert Position.of({"state": "running", "steps": {"a": "running"}}).steps == {"a": "running"}


def test_parallel_steps_running_together_are_both_current() -> None:
    position = Position("running", {"hold": "succeeded", "pick_a": "running", "pick_b": "running"})
    assert "    class step_pick_a,step_pick_b current" in mermaid(DISPATCH, position).splitlines()
