"""sagactl for any saga definition, against a stand-in for the Celery app: ``start``,
``definitions``, ``describe``, and ``history`` of a saga started for another one (its
trail is its parent's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from messaging.contracts.read_models import DefinitionDescription, SagaStarted, SagaView
from tests.unit.sagactl_stand_in import (
    PARTICIPANTS,
    SAGA_ID,
    answer,
    definition,
    entry,
    run_sagactl,
    saga_view,
    sent_tasks,
    services,
    words,
)

RETURN = {"return_id": "ret-1", "order_id": "ord-1", "lines": [{"sku": "A", "quantity": 1}]}


def _started(**fields: Any) -> dict[str, Any]:
    """A start_saga answer."""
    started = {"saga_id": SAGA_ID, "definition": "returns", "business_key": "ret-1"}
    return answer(SagaStarted, {**started, "state": "running", "duplicate": False, **fields})


# --- start --------------------------------------------------------------------------------


def test_start_sends_the_definition_and_the_input_given_inline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch,
        ["start", "returns", "--input", json.dumps(RETURN)],
        **{"orchestrator.start_saga": [_started()]},
    )

    assert code == 0
    # a write: it stays queued if no worker takes it in time
    assert sent_tasks(app) == [
        ("orchestrator.start_saga", {"definition": "returns", "input": RETURN}, None)
    ]
    assert capsys.readouterr().out.splitlines() == [
        f"saga   {SAGA_ID} (returns@1)",
        "key    ret-1",
        "state  running",
    ]


def test_start_reads_the_input_from_a_file_and_says_when_it_is_the_same_saga(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "return.json"
    path.write_text(json.dumps(RETURN), encoding="utf-8")
    code, app = run_sagactl(
        monkeypatch,
        ["start", "returns", "--input", f"@{path}"],
        **{"orchestrator.start_saga": [_started(state="completed", duplicate=True)]},
    )

    assert code == 0
    assert app.sent[0][1] == {"definition": "returns", "input": RETURN}
    assert capsys.readouterr().out.endswith("state  completed\nduplicate: same saga as before\n")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("[1, 2]", "sagactl: the input in --input must be a JSON object"),
        ("{not json", "sagactl: cannot read the input from --input: Expecting property name"),
        ("@/nonexistent/return.json", "sagactl: cannot read the input from /nonexistent/"),
    ],
)
def test_an_unreadable_input_exits_1_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: str,
    message: str,
) -> None:
    code, app = run_sagactl(monkeypatch, ["start", "returns", "--input", given])

    assert code == 1
    assert capsys.readouterr().err.startswith(message)
    assert app.sent == []


# --- definitions and describe -------------------------------------------------------------

CHECKOUT_STEPS = ("reserve_inventory", "charge_payment", "create_shipment")
CHECKOUT_FIELDS: dict[str, Any] = {
    "key_name": "order_id",
    "events": ["OrderConfirmed", "OrderCancelled"],
    "description": "The checkout saga.",
    "services": list(PARTICIPANTS),
}
LISTED = [
    definition(
        "checkout", *CHECKOUT_STEPS, **CHECKOUT_FIELDS, version=1, starts_new=False,
        finished=7, retirable=True,
    ),
    definition(
        "checkout", *CHECKOUT_STEPS, **CHECKOUT_FIELDS, version=2, running=2, waiting=1,
        finished=3,
    ),
    definition("internal", "only"),
]  # fmt: skip


def test_definitions_lists_every_version_and_which_can_be_retired(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch, ["definitions"], **{"orchestrator.list_definitions": [LISTED]}
    )
    lines = capsys.readouterr().out.splitlines()

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.list_definitions", {}, 15.0)]
    assert lines[0].split() == [
        "DEFINITION", "STARTS", "RUNNING", "WAITING", "FINISHED", "RETIRABLE", "KEY", "STEPS",
        "EVENTS", "DESCRIPTION",
    ]  # fmt: skip
    assert words(lines[1]) == (
        "checkout@1 - 0 0 7 yes order_id reserve_inventory > charge_payment > create_shipment"
        " OrderConfirmed, OrderCancelled The checkout saga."
    )
    assert words(lines[2]).startswith("checkout@2 new sagas 2 1 3 no order_id reserve_inventory")
    assert lines[3].split() == ["internal@1", "new", "sagas", "0", "0", "0", "no", "-", "only", "-"]
    assert lines[4:] == [
        "",
        "can be retired: checkout@1 (no saga runs or waits on it: remove it from its"
        " DEFINITIONS, then deploy)",
    ]


def test_definitions_says_nothing_of_retiring_when_no_version_can_be(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sagactl(monkeypatch, ["definitions"], **{"orchestrator.list_definitions": [LISTED[1:]]})

    assert "retired" not in capsys.readouterr().out


DESCRIBED = answer(
    DefinitionDescription,
    {"name": "checkout", "text": "saga checkout\n  ...\n", "mermaid": "flowchart TD\n"},
)


def test_describe_prints_the_text_then_the_diagram(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, app = run_sagactl(
        monkeypatch, ["describe", "checkout"], **{"orchestrator.describe_definition": [DESCRIBED]}
    )

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.describe_definition", {"name": "checkout"}, 15.0)]
    assert capsys.readouterr().out == (
        "saga checkout\n  ...\n\ndiagram (Mermaid flowchart)\nflowchart TD\n"
    )


def test_describe_can_print_only_the_diagram_or_the_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {"orchestrator.describe_definition": [DESCRIBED, DESCRIBED]}
    run_sagactl(monkeypatch, ["describe", "checkout", "--mermaid"], **answers)
    assert capsys.readouterr().out == "flowchart TD\n"

    run_sagactl(monkeypatch, ["describe", "checkout", "--json"], **answers)
    assert json.loads(capsys.readouterr().out) == DESCRIBED


# --- history: the participants' records are filed under the root key -----------------------


def _saga(**fields: Any) -> dict[str, Any]:
    """A return of order ord-1, completed: its refund's reply names the order again."""
    history = [
        entry("started"),
        entry(
            "reply_applied",
            "refund_payment",
            at="2026-11-22T03:26:24.300000",
            message_type="PaymentRefunded",
            detail={"payload": {"order_id": "ord-1", "refund_id": "ref_1"}},
        ),
    ]
    summary = {"refund": "12.50 EUR"}
    found = {"definition": "returns", "business_key": "ret-1", "parent_key": "ord-1"}
    return saga_view(**found, summary=summary, state="completed", history=history, **fields)


def test_the_root_key_is_the_parent_key_else_the_business_key() -> None:
    assert SagaView.model_validate(_saga()).root_key == "ord-1"
    checkout = saga_view(business_key="ord-2")
    assert SagaView.model_validate(checkout).root_key == "ord-2"


TRAILS = [f"{service}.order_trail" for service in PARTICIPANTS]


def test_history_of_a_return_merges_the_records_of_its_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refunded = [{"at": "2026-11-22T03:26:24.250000", "what": "refunded", "detail": "12.50 EUR"}]
    code, app = run_sagactl(
        monkeypatch,
        ["history", "ret-1", "--definition", "returns"],
        **{
            **services(),
            "orchestrator.get_saga": [_saga()],
            "inventory.order_trail": [[]],
            "payment.order_trail": [refunded],
            "shipping.order_trail": [[]],
        },
    )
    lines = capsys.readouterr().out.splitlines()

    assert code == 0
    assert [(name, kwargs) for name, kwargs, _ in sent_tasks(app)] == [
        ("orchestrator.get_saga", {"definition": "returns", "key": "ret-1"}),
        ("orchestrator.list_definitions", {}),  # the services of the running platform
        ("events.subscriptions", {}),
        *((trail, {"order_id": "ord-1"}) for trail in TRAILS),
    ]
    assert lines[0] == f"returns ret-1 (for ord-1), saga {SAGA_ID}: everything, times UTC"
    assert [line.split()[2:4] for line in lines[1:4]] == [
        ["orchestrator", "started"],
        ["payment", "refunded"],
        ["orchestrator", "reply_applied"],
    ]
    # the order id repeats the saga's parent key: only the new reference is shown
    assert lines[3].endswith("PaymentRefunded refund_id=ref_1")
    assert lines[-1] == "state now: completed"


def test_history_of_an_order_id_finds_its_checkout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = saga_view(history=[entry("started")], state="completed")
    code, app = run_sagactl(
        monkeypatch,
        ["history", "ord-1"],
        **{
            **services(),
            "orchestrator.get_saga": [checkout],
            "inventory.order_trail": [[]],
            "payment.order_trail": [[]],
            "shipping.order_trail": [TimeoutError("no answer")],
        },
    )
    out = capsys.readouterr().out

    assert code == 0
    assert app.sent[0][1] == {"key": "ord-1"}  # any definition: the latest with that key
    assert out.startswith(f"checkout ord-1, saga {SAGA_ID}: everything, times UTC\n")
    assert out.endswith("  (shipping did not answer: its part is missing above)\n")
