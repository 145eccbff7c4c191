"""Diagrams and descriptions generated from saga definitions (orchestrator/diagram.py):
every step is drawn, failures lead into the compensations in reverse order, a parallel
group forks and joins, a saga's position is marked, and the text is always the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from messaging.contracts import MessageKind, Payload
from orchestrator.definition import Compensation, RetryPolicy, SagaData, SagaDefinition, Step
from orchestrator.diagram import Position, describe, mermaid, message_name
from sagas.checkout.definition import CHECKOUT

EDGE = re.compile(r"^    (\w+) (-->|-\.->)(?:\|\"([^\"]*)\"\|)? (\w+)$")


def edges(text: str) -> list[tuple[str, str, str, str]]:
    """(source, arrow, label, target) of every edge, in order."""
    return [
        (found[1], found[2], found[3] or "", found[4])
        for line in text.splitlines()
        if (found := EDGE.match(line))
    ]


def declared(text: str) -> list[str]:
    return [
        found[1]
        for line in text.splitlines()
        if (found := re.match(r"^\s+(\w+)(?:\(\[|\[|\{\{|\{)\"", line))
    ]


# --- a made-up saga with a parallel group (Step.group is not merged yet: a subclass) ------


@dataclass(frozen=True)
class GroupedStep(Step):
    group: str | None = None


class Pick(Payload):
    message_type = "Pick"
    kind = MessageKind.COMMAND


class Unpick(Payload):
    message_type = "Unpick"
    kind = MessageKind.COMMAND


class Label(Payload):
    message_type = "Label"
    kind = MessageKind.COMMAND


def pick(_data: SagaData) -> Pick:
    return Pick()


def unpick(_data: SagaData) -> Unpick:
    return Unpick()


def label(_data: SagaData) -> Label:
    return Label()


def dispatched(_data: SagaData, _failure: Mapping[str, str]) -> None:
    return None


def _step(name: str, service: str, group: str | None = None, undo: bool = True) -> GroupedStep:
    return GroupedStep(
        name=name,
        service=service,
        command=pick if undo else label,
        success_on={f"{name}_done": dict},
        failure_on=frozenset({f"{name}_failed"}),
        compensation=Compensation(command=unpick, done_on=frozenset({f"{name}_undone"}))
        if undo
        else None,
        group=group,
    )


DISPATCH = SagaDefinition(
    name="dispatch",
    steps=(
        _step("hold", "inventory"),
        _step("pick_a", "warehouse_a", group="pick"),
        _step("pick_b", "warehouse_b", group="pick"),
        _step("ship", "shipping", undo=False),
    ),
)


# --- every step ---------------------------------------------------------------------------


def test_every_step_of_the_checkout_is_drawn_with_its_service_and_command() -> None:
    text = mermaid(CHECKOUT)
    lines = text.splitlines()

    assert lines[0] == "flowchart TD"
    for step, service, command in (
        ("reserve_inventory", "inventory", "ReserveInventory"),
        ("charge_payment", "payment", "ChargePayment"),
        ("create_shipment", "shipping", "CreateShipment"),
    ):
        assert f'    step_{step}["{step}<br/>{service}: {command}"]' in lines
    assert '    admit{"admit?<br/>key: order_id"}' in lines
    assert '    saga_completed(["completed<br/>OrderConfirmed"])' in lines
    assert '    saga_compensated(["compensated<br/>OrderCancelled"])' in lines
    assert declared(text) == [
        "start",
        "admit",
        "refused",
        "step_reserve_inventory",
        "review_charge_payment",
        "step_charge_payment",
        "step_create_shipment",
        "saga_completed",
        "undo_charge_payment",
        "undo_reserve_inventory",
        "saga_compensated",
    ]


def test_the_forward_path_is_labelled_with_the_replies_that_move_it_on() -> None:
    forward = [(s, label, t) for s, arrow, label, t in edges(mermaid(CHECKOUT)) if arrow == "-->"]
    assert forward == [
        ("start", "", "admit"),
        ("admit", "admitted", "step_reserve_inventory"),
        ("step_reserve_inventory", "InventoryReserved", "review_charge_payment"),
        ("review_charge_payment", "approved, or not needed", "step_charge_payment"),
        ("step_charge_payment", "PaymentCharged", "step_create_shipment"),
        ("step_create_shipment", "ShipmentCreated", "saga_completed"),
    ]


def test_the_review_and_the_unknown_outcome_are_drawn() -> None:
    found = edges(mermaid(CHECKOUT))
    assert (
        "step_charge_payment",
        "-.->",
        "PaymentOutcomeUnknown: ask CheckPaymentStatus",
        "step_charge_payment",
    ) in found
    assert (
        "review_charge_payment",
        "-.->",
        "rejected, or no decision",
        "undo_reserve_inventory",
    ) in found


# --- failures and compensations -----------------------------------------------------------


def test_failures_lead_into_the_compensations_in_reverse_order_dashed() -> None:
    dashed = [(s, label, t) for s, arrow, label, t in edges(mermaid(CHECKOUT)) if arrow == "-.->"]

    # each failure enters the chain at the last step that may have committed before it
    assert ("step_reserve_inventory", "InventoryReservationFailed", "saga_compensated") in dashed
    assert ("step_charge_payment", "PaymentDeclined", "undo_reserve_inventory") in dashed
    assert ("step_create_shipment", "ShipmentFailed", "undo_charge_payment") in dashed
    # then the chain runs backwards: refund, release, compensated
    chain = [(s, label, t) for s, label, t in dashed if s.startswith("undo_")]
    assert chain == [
        ("undo_charge_payment", "PaymentRefunded", "undo_reserve_inventory"),
        ("undo_reserve_inventory", "InventoryReleased", "saga_compensated"),
    ]


def test_a_step_that_compensates_when_out_of_tries_says_so_on_its_failure_edge() -> None:
    patient = SagaDefinition(
        name="patient",
        steps=(
            _step("hold", "inventory"),
            Step(
                name="wait",
                service="slow",
                command=label,
                success_on={"Waited": dict},
                policy=RetryPolicy(timeout=1.0, max_attempts=2),
                on_exhausted="compensate",
            ),
        ),
    )
    assert ("step_wait", "-.->", "no reply after 2 sends", "undo_hold") in edges(mermaid(patient))


# --- parallel stages ----------------------------------------------------------------------


def test_a_parallel_stage_forks_and_joins() -> None:
    text = mermaid(DISPATCH)
    forward = [(s, t) for s, arrow, _, t in edges(text) if arrow == "-->"]

    assert '    subgraph stage_2 ["parallel: pick"]' in text.splitlines()
    inside = text.split("subgraph stage_2", 1)[1].split("\n    end\n", 1)[0]
    assert declared(inside) == ["step_pick_a", "step_pick_b"]
    assert forward[forward.index(("step_hold", "fork_2")) :] == [
        ("step_hold", "fork_2"),
        ("fork_2", "step_pick_a"),
        ("fork_2", "step_pick_b"),
        ("step_pick_a", "join_2"),
        ("step_pick_b", "join_2"),
        ("join_2", "step_ship"),
        ("step_ship", "saga_completed"),
    ]


def test_the_compensations_of_a_parallel_stage_are_grouped_and_said_to_run_one_by_one() -> None:
    text = mermaid(DISPATCH)
    # as the engine does it (engine.compensation): one at a time, the last to succeed first
    assert "undone one at a time, last completed first" in text
    assert "in parallel" not in text.split("subgraph undo_stage_2", 1)[1].split("\n", 1)[0]
    dashed = [(s, t) for s, arrow, _, t in edges(text) if arrow == "-.->"]

    assert ("step_ship", "undo_fork_2") in dashed
    # a step of the stage failing: its sibling may have committed
    assert ("step_pick_a", "undo_fork_2") in dashed
    assert ("step_hold", "saga_compensated") in dashed
    chain = [(s, t) for s, t in dashed if s.startswith("undo_")]
    assert chain == [
        ("undo_fork_2", "undo_pick_a"),
        ("undo_pick_a", "undo_join_2"),
        ("undo_fork_2", "undo_pick_b"),
        ("undo_pick_b", "undo_join_2"),
        ("undo_join_2", "undo_hold"),
        ("undo_hold", "saga_compensated"),
    ]


# --- a saga's position --------------------------------------------------------------------


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
                "done": ["start", "admit", "step_reserve_inventory", "review_charge_payment"],
            },
        ),
        (
            "awaiting_approval",
            {"reserve_inventory": "succeeded", "charge_payment": "awaiting_approval"},
            {
                "current": ["review_charge_payment"],
                "done": ["start", "admit", "step_reserve_inventory"],
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
                "done": [
                    "start",
                    "admit",
                    "step_reserve_inventory",
                    "review_charge_payment",
                    "step_charge_payment",
                ],
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
                "done": [
                    "start",
                    "admit",
                    "step_reserve_inventory",
                    "review_charge_payment",
                    "step_charge_payment",
                    "step_create_shipment",
                ],
            },
        ),
        (
            "failed",
            {"reserve_inventory": "succeeded", "charge_payment": "compensation_failed"},
            {
                "done": [
                    "start",
                    "admit",
                    "step_reserve_inventory",
                    "review_charge_payment",
                    "step_charge_payment",
                ],
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


# --- determinism and labels ---------------------------------------------------------------


def test_the_same_definition_always_gives_the_same_text() -> None:
    assert mermaid(CHECKOUT) == mermaid(CHECKOUT)
    assert describe(CHECKOUT) == describe(CHECKOUT)
    # reply types are sets: their order must not follow the string hash of the process
    script = (
        "from sagas.checkout.definition import CHECKOUT;"
        "from orchestrator.diagram import describe, mermaid;"
        "import sys; sys.stdout.write(mermaid(CHECKOUT) + describe(CHECKOUT))"
    )
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=60,
        )
        assert done.stdout == mermaid(CHECKOUT) + describe(CHECKOUT)


def test_labels_are_quoted_and_markup_escaped() -> None:
    odd = SagaDefinition(
        name='odd "saga" <b>',
        steps=(_step("a-step", "svc#1", undo=False),),
        description="",
    )
    text = mermaid(odd)

    assert 'start(["odd #quot;saga#quot; #lt;b#gt;<br/>started by code"])' in text
    assert 'step_a_step["a-step<br/>svc#35;1: Label"]' in text  # ids are word characters


def test_a_command_built_by_a_lambda_has_no_name() -> None:
    assert message_name(lambda data: Pick()) is None
    assert message_name(pick) == "Pick"
    assert message_name(dispatched) is None  # returns None: no event


# --- describe -----------------------------------------------------------------------------


def test_describe_lists_every_step_with_its_replies_policy_and_compensation() -> None:
    text = describe(CHECKOUT)
    lines = text.splitlines()

    assert lines[0] == "saga checkout"
    assert "  key           order_id (the same key twice is the same saga)" in lines
    steps = [line.strip() for line in lines if re.match(r"^  \d\. ", line)]
    assert steps == ["1. reserve_inventory", "2. charge_payment", "3. create_shipment"]
    charge = text.split("  2. charge_payment\n", 1)[1].split("  3. ", 1)[0].splitlines()
    assert [line.split(None, 1)[0] for line in charge][:3] == ["service", "command", "success"]
    assert "     command       ChargePayment" in charge
    assert "     failure on    PaymentDeclined" in charge
    assert "     approval      when needs_review; no decision in 24h rejects" in charge
    assert "     policy        timeout 10s, 3 attempts, backoff x2 (waits 10s, 20s, 40s)" in charge
    assert "     out of tries  fail: stop for an operator" in charge
    assert "     compensation  RefundPayment, done on PaymentRefunded" in charge
    assert (
        "       refused on  PaymentRefundFailed: sent again after 0.5s, 1s, 2s, then the saga fails"
    ) in charge
    assert "     compensation  none: never undone" in text.split("  3. create_shipment\n")[1]
    assert lines[-4:] == [
        "  completed     records OrderConfirmed",
        "  compensated   records OrderCancelled",
        "  failed        stops for an operator (sagactl retry), records nothing",
        "  events        OrderConfirmed, OrderCancelled",
    ]


def test_describe_names_the_stage_and_group_of_parallel_steps() -> None:
    text = describe(DISPATCH)
    assert "  2. pick_a (stage 2, group pick: with pick_b)" in text
    assert "  3. pick_b (stage 2, group pick: with pick_a)" in text
    assert "  4. ship\n" in text
    assert "start\n  only by code (no admission: no client can start it)\n" in text
    assert "  completed     records no event\n" in text
