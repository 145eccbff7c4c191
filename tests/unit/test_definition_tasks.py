"""The read side's tasks without a broker: the definitions the orchestrator runs
(``orchestrator.list_definitions``, ``orchestrator.describe_definition``), and the saga
counts of the metrics, labelled by definition."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from orchestrator import diagram, worker
from orchestrator.definition_listing import summaries
from orchestrator.metrics import saga_counts
from orchestrator.saga_registry import definitions


def test_list_definitions_names_each_version_with_its_key_steps_and_events() -> None:
    listed = [found.model_dump(mode="json") for found in summaries(definitions(), {})]

    assert [(d["name"], d["version"]) for d in listed] == [
        ("checkout", 1),
        ("checkout", 2),
        ("returns", 1),
    ]
    first, second = (d for d in listed if d["name"] == "checkout")
    assert first == {
        "name": "checkout",
        "version": 1,
        "starts_new": False,
        "running": 0,
        "waiting": 0,
        "finished": 0,
        "retirable": True,  # not the start version, and no saga runs on it
        "key_name": "order_id",
        "steps": ["reserve_inventory", "charge_payment", "create_shipment"],
        "events": ["OrderConfirmed", "OrderCancelled"],
        "description": (
            "Checkout version 1: reserve inventory -> charge payment -> create shipment -> confirm."
        ),
        "services": ["inventory", "payment", "shipping"],
    }
    assert (second["starts_new"], second["retirable"]) == (True, False)
    assert second["steps"] == [
        "reserve_inventory",
        "screen_fraud",
        "charge_payment",
        "create_shipment",
    ]
    assert second["services"] == ["fraud", "inventory", "payment", "shipping"]


def test_describe_definition_gives_the_text_and_the_chart() -> None:
    described = worker.describe_definition("checkout")
    checkout = definitions()["checkout"]

    assert described == {
        "name": "checkout",
        "text": diagram.describe(checkout),
        "mermaid": diagram.mermaid(checkout),
    }


def test_describe_definition_marks_a_sagas_position_when_given() -> None:
    steps = {"reserve_inventory": "succeeded", "charge_payment": "awaiting_approval"}
    described = worker.describe_definition("checkout", state="awaiting_approval", steps=steps)

    assert described["mermaid"] == diagram.mermaid(
        definitions()["checkout"], diagram.Position("awaiting_approval", steps)
    )
    assert "    class review_charge_payment current" in described["mermaid"].splitlines()


def test_describe_definition_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(LookupError, match="unknown saga definition 'nope'"):
        worker.describe_definition("nope")
    with pytest.raises(ValueError, match="steps must map step names to statuses"):
        worker.describe_definition("checkout", state="running", steps=["charge_payment"])


# --- metrics --------------------------------------------------------------------------------

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _row(definition: str, status: str, error: str | None = None, version: int = 1) -> Any:
    return SimpleNamespace(
        saga_id=f"{definition}-{status}", definition=definition, definition_version=version,
        status=status, error=error, created_at=AT, updated_at=AT,
    )  # fmt: skip


def _samples(rows: list[Any]) -> dict[tuple[str, tuple[str, ...]], float]:
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in saga_counts(rows)
        for sample in family.samples
    }


def test_saga_counts_are_labelled_by_definition_and_version() -> None:
    samples = _samples(
        [
            _row("checkout", "completed"),
            _row("checkout", "completed", version=2),
            _row("checkout", "running", version=2),
            _row("checkout", "failed", "no reply from payment to charge_payment after 3"),
            _row("returns", "compensated"),
        ]
    )

    assert samples[("saga_started_total", ("checkout", "1"))] == 2
    assert samples[("saga_started_total", ("checkout", "2"))] == 2
    assert samples[("saga_started_total", ("returns", "1"))] == 1
    assert samples[("saga_completed_total", ("checkout", "2"))] == 1
    assert samples[("saga_completed_total", ("returns", "1"))] == 0  # from its first saga
    assert samples[("saga_compensated_total", ("returns", "1"))] == 1
    assert samples[("saga_failed_total", ("checkout", "1", "timed_out"))] == 1
    assert samples[("sagas_in_flight", ("checkout", "2", "running"))] == 1
    assert samples[("sagas_in_flight", ("checkout", "1", "running"))] == 0
    assert samples[("sagas_in_flight", ("returns", "1", "compensating"))] == 0


def test_no_sagas_no_samples() -> None:
    assert _samples([]) == {}


def test_a_client_starts_the_start_version_and_may_name_it() -> None:
    start = definitions()["checkout"]

    assert worker.starting("checkout") is start
    assert worker.starting(start.label) is start


def test_a_client_naming_another_version_is_told_which_one_new_sagas_start_on() -> None:
    with pytest.raises(ValueError, match=r"^definition: new checkout sagas start on checkout@2"):
        worker.starting("checkout@1")
    with pytest.raises(ValueError, match=r"malformed"):
        worker.starting("checkout@x")
    with pytest.raises(ValueError, match=r"unknown saga definition 'parcel'"):
        worker.starting("parcel")
