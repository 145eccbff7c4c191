"""Diagrams generated from saga definitions (orchestrator/diagram/): every step is drawn,
failures lead into the compensations in reverse order, a parallel group forks and joins,
and the text is always the same."""

from __future__ import annotations

import os
import subprocess
import sys

from orchestrator.definition import RetryPolicy, SagaDefinition, Step
from orchestrator.diagram import describe, mermaid, message_name
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.diagram_reading import (
    DISPATCH,
    Pick,
    declared,
    dispatched,
    edges,
    grouped_step,
    label,
    pick,
)


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
            grouped_step("hold", "inventory"),
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


def test_the_same_definition_always_gives_the_same_text() -> None:
    assert mermaid(CHECKOUT) == mermaid(CHECKOUT)
    assert describe(CHECKOUT) == describe(CHECKOUT)
    # reply types are sets: their order must not follow the string hash of the process
    script = (
        "from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT;"
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
        steps=(grouped_step("a-step", "svc#1", undo=False),),
        description="",
    )
    text = mermaid(odd)

    assert 'start(["odd #quot;saga#quot; #lt;b#gt;<br/>started by code"])' in text
    assert 'step_a_step["a-step<br/>svc#35;1: Label"]' in text  # ids are word characters


def test_a_command_built_by_a_lambda_has_no_name() -> None:
    assert message_name(lambda data: Pick()) is None
    assert message_name(pick) == "Pick"
    assert message_name(dispatched) is None  # returns None: no event
