"""sagactl ``approve`` and ``reject`` of an order awaiting review, against a stand-in for
the Celery app. What they share with retry and cancel is in test_sagactl_saga_writes.py."""

from __future__ import annotations

import pytest

from tests.unit.sagactl_sagas import (
    as_answer,
    awaiting_approval,
    found_by_key_then_sent,
    write_printed,
)
from tests.unit.sagactl_stand_in import SAGA_ID, Sagactl, acted, sent_tasks

# --- approve ------------------------------------------------------------------------------


def test_approve_resolves_a_key_then_approves_by_the_name_given(sagactl: Sagactl) -> None:
    code, app = sagactl.write(
        ["approve", "ord-1", "--by", "  alice   smith "],
        as_answer(awaiting_approval()),
        "orchestrator.approve_saga",
        acted("running"),
    )
    out, err = sagactl.printed()

    assert code == 0
    assert err == ""
    assert sent_tasks(app) == found_by_key_then_sent("orchestrator.approve_saga", by="alice smith")
    assert [options["queue"] for _, _, options in app.sent] == ["orchestrator", "orchestrator"]
    assert out.splitlines() == write_printed(
        "running (was awaiting_approval)", "charge_payment", "by     alice smith"
    )


@pytest.mark.parametrize(
    ("user", "by"),
    [("bob", "bob"), (None, "an operator"), ("  ", "an operator")],
    ids=["user", "no-user", "blank-user"],
)
def test_approve_is_by_the_user_by_default_else_by_an_operator(
    sagactl: Sagactl,
    user: str | None,
    by: str,
) -> None:
    if user is None:
        sagactl.monkeypatch.delenv("USER", raising=False)
    else:
        sagactl.monkeypatch.setenv("USER", user)
    code, app = sagactl.write(
        ["approve", SAGA_ID],
        as_answer(awaiting_approval()),
        "orchestrator.approve_saga",
        acted("running"),
    )

    assert code == 0
    assert app.sent[-1][:2] == ("orchestrator.approve_saga", {"saga_id": SAGA_ID, "by": by})
    assert sagactl.printed().out.endswith(f"\nby     {by}\n")


# --- reject -------------------------------------------------------------------------------


def test_reject_sends_the_reason_on_one_line_and_prints_the_new_state(sagactl: Sagactl) -> None:
    code, app = sagactl.write(
        ["reject", "ord-1", "--reason", " card  holder\nunknown "],
        as_answer(awaiting_approval()),
        "orchestrator.reject_saga",
        acted("compensating", "reserve_inventory"),
    )
    out, err = sagactl.printed()

    assert code == 0
    assert err == ""
    assert sent_tasks(app) == found_by_key_then_sent(
        "orchestrator.reject_saga", reason="card holder unknown"
    )
    assert out.splitlines() == write_printed(
        "compensating (was awaiting_approval)", "reserve_inventory", "reason card holder unknown"
    )
