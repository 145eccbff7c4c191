"""sagactl ``retry`` and ``cancel`` against a stand-in for the Celery app: the saga found,
the write sent, the new state printed; a cancel with a command in flight."""

from __future__ import annotations

from tests.unit.sagactl_sagas import at_charge_payment, found_by_key_then_sent, write_printed
from tests.unit.sagactl_stand_in import SAGA_ID, Sagactl, acted, sent_tasks

# --- retry --------------------------------------------------------------------------------


def test_retry_resolves_a_key_then_retries_the_saga_and_prints_the_new_state(
    sagactl: Sagactl,
) -> None:
    code, app = sagactl.write(
        ["retry", "ord-1"],
        at_charge_payment("failed"),
        "orchestrator.retry_saga",
        acted("compensating"),
    )
    out, err = sagactl.printed()

    assert code == 0
    assert err == ""
    assert sent_tasks(app) == found_by_key_then_sent("orchestrator.retry_saga")
    assert [options["queue"] for _, _, options in app.sent] == ["orchestrator", "orchestrator"]
    assert out.splitlines() == write_printed("compensating (was failed)", "charge_payment")


# --- cancel -------------------------------------------------------------------------------


def test_cancel_with_a_command_in_flight_says_the_saga_compensates_once_it_answers(
    sagactl: Sagactl,
) -> None:
    code, app = sagactl.write(
        ["cancel", "ord-1", "--reason", "customer  called\nto cancel"],
        at_charge_payment("running"),
        "orchestrator.cancel_saga",
        acted("running"),
    )

    assert code == 0
    assert sent_tasks(app) == found_by_key_then_sent(
        "orchestrator.cancel_saga", reason="customer called to cancel"
    )
    assert sagactl.printed().out.splitlines() == write_printed(
        "running",
        "charge_payment",
        "reason customer called to cancel",
        "cancel requested: the saga compensates once the command in flight answers",
    )


def test_cancel_without_a_reason_leaves_the_default_to_the_orchestrator(sagactl: Sagactl) -> None:
    code, app = sagactl.write(
        ["cancel", SAGA_ID],
        at_charge_payment("running"),
        "orchestrator.cancel_saga",
        acted("compensating", "reserve_inventory"),
    )
    out = sagactl.printed().out

    assert code == 0
    assert app.sent[-1][:2] == ("orchestrator.cancel_saga", {"saga_id": SAGA_ID})
    assert out.splitlines() == write_printed("compensating (was running)", "reserve_inventory")
    assert "cancel requested" not in out
