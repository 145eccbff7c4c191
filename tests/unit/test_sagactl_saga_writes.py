"""What every write on a saga shares (``retry``, ``cancel``, ``approve``, ``reject``):
finding the saga by saga id or key, refusals, an unknown saga, no answer."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from tests.unit.sagactl_sagas import at_charge_payment
from tests.unit.sagactl_stand_in import OTHER_SAGA_ID, SAGA_ID, FakeApp, Sagactl, acted, sent_tasks

WRITES = {  # command: its other arguments, its task, what that task gets besides saga_id
    "retry": ([], "orchestrator.retry_saga", {}),
    "cancel": ([], "orchestrator.cancel_saga", {}),
    "approve": (["--by", "alice"], "orchestrator.approve_saga", {"by": "alice"}),
    "reject": (["--reason", "fraud"], "orchestrator.reject_saga", {"reason": "fraud"}),
}
# how an ID given is looked up: given, get_saga's answers, what it was asked
Finding = tuple[list[str], list[Any], list[dict[str, str]]]
UUID_KEY = at_charge_payment("failed", saga_id=OTHER_SAGA_ID, business_key=SAGA_ID)
OF_RETURNS = at_charge_payment(
    "failed", definition="returns", business_key="ret-1", parent_key="ord-1"
)
FINDING: dict[str, Finding] = {
    "key": (["ord-1"], [at_charge_payment("failed")], [{"key": "ord-1"}]),
    "saga-id": ([SAGA_ID], [at_charge_payment("failed")], [{"saga_id": SAGA_ID}]),
    "uuid-that-is-a-key": (
        [SAGA_ID],  # no saga has this id: it is a key
        [LookupError(f"no saga with saga_id {SAGA_ID}"), UUID_KEY],
        [{"saga_id": SAGA_ID}, {"key": SAGA_ID}],
    ),
    "key-of-a-definition": (
        ["ret-1", "--definition", "returns"],
        [OF_RETURNS],
        [{"definition": "returns", "key": "ret-1"}],
    ),
}


def _write(
    sagactl: Sagactl, command: str, given: list[str], **outcomes: Any
) -> tuple[int, FakeApp]:
    """Run a write on the saga ``given`` names, with the write's own arguments."""
    return sagactl.run([command, *given, *WRITES[command][0]], **outcomes)


@pytest.mark.parametrize("command", WRITES)
@pytest.mark.parametrize("finding", FINDING)
def test_a_write_finds_the_saga_then_acts_on_the_one_found(
    sagactl: Sagactl, command: str, finding: str
) -> None:
    _, task, kwargs = WRITES[command]
    given, answers, asked = FINDING[finding]
    found = answers[-1]
    code, app = _write(
        sagactl,
        command,
        given,
        **{"orchestrator.get_saga": answers, task: [acted("running", saga_id=found["saga_id"])]},
    )

    assert code == 0
    # reads expire when sagactl stops waiting; the write stays queued until a worker runs it
    assert sent_tasks(app) == [
        *(("orchestrator.get_saga", question, 15.0) for question in asked),
        (task, {"saga_id": found["saga_id"], **kwargs}, None),
    ]
    out = sagactl.printed().out
    assert f"key    {found['definition']} {found['business_key']}\n" in out
    assert "state  running (was failed)\nstep   charge_payment\n" in out


@pytest.mark.parametrize("command", WRITES)
@pytest.mark.parametrize(
    "error",
    [
        ValueError("only a failed saga can be retried; this one is completed"),
        LookupError(f"no saga with saga_id {SAGA_ID}"),
    ],
    ids=["refused", "gone"],
)
def test_a_write_the_orchestrator_refuses_exits_1_with_its_error(
    sagactl: Sagactl,
    command: str,
    error: Exception,
) -> None:
    task = WRITES[command][1]
    code, _ = _write(
        sagactl,
        command,
        ["ord-1"],
        **{"orchestrator.get_saga": [at_charge_payment("completed")], task: [error]},
    )

    assert code == 1
    assert sagactl.printed() == ("", f"sagactl: {task} failed: {error}\n")


@pytest.mark.parametrize("command", WRITES)
def test_a_write_on_an_unknown_saga_exits_1_without_being_sent(
    sagactl: Sagactl, command: str
) -> None:
    unknown = LookupError("no saga with key ord-404")
    code, app = _write(sagactl, command, ["ord-404"], **{"orchestrator.get_saga": [unknown]})

    assert code == 1
    assert sagactl.printed().err == "sagactl: no saga with saga id or key ord-404\n"
    assert [name for name, _, _ in app.sent] == ["orchestrator.get_saga"]


@pytest.mark.parametrize("command", WRITES)
def test_a_write_nobody_answers_says_it_stays_queued(sagactl: Sagactl, command: str) -> None:
    task = WRITES[command][1]
    silent = ResultTimeout("The operation timed out.")
    code, _ = _write(
        sagactl,
        command,
        ["ord-1"],
        **{"orchestrator.get_saga": [at_charge_payment("failed")], task: [silent]},
    )

    assert code == 1
    assert sagactl.printed().err == (
        f"sagactl: no answer from {task} within 15s: the orchestrator worker may not be"
        " running. The request stays queued and runs when a worker takes it.\n"
    )
