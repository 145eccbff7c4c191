"""sagactl's tables of sagas: ``list`` rows, and ``stuck``: what each stuck saga waits on,
since when and at which attempt."""

from __future__ import annotations

import json
from typing import Any

from console.tables import format_saga_table, format_stuck_table
from messaging.contracts.read_models import SagaSummary, StuckSaga
from tests.unit.sagactl_stand_in import (
    MESSAGE_ID,
    OTHER_SAGA_ID,
    SAGA_ID,
    Sagactl,
    saga_summary,
    sent_tasks,
    stuck_saga,
    words,
)


def test_saga_table() -> None:
    rows = [
        saga_summary(current_step="charge_payment", updated_at="2026-11-22T03:26:24.293000"),
        saga_summary(
            saga_id="73adc3cb-518a-429d-a4e0-9d007bcb72ed",
            definition="returns",
            business_key="ret-22",
            parent_key="ord-1",
            summary={},
            state="compensated",
            updated_at="2026-11-22T03:26:30.481831+00:00",
        ),
    ]
    lines = format_saga_table([SagaSummary.model_validate(row) for row in rows]).splitlines()

    assert words(lines[0]) == "SAGA ID DEFINITION KEY STATE STEP UPDATED (UTC) SUMMARY"
    assert words(lines[1]) == (
        f"{SAGA_ID} checkout@1 ord-1 running charge_payment 2026-11-22 03:26:24.293"
        " customer cus-1, total 30.00 EUR"
    )
    assert lines[2].split()[1:5] == ["returns@1", "ret-22", "compensated", "-"]
    assert lines[1].index("running") == lines[2].index("compensated")
    assert lines[1].index("ord-1") == lines[2].index("ret-22")
    assert format_saga_table([]) == "no sagas"


# --- stuck --------------------------------------------------------------------------------


def _stuck(**fields: Any) -> dict[str, Any]:
    """A stuck_sagas row: at charge_payment, third attempt, past its deadline."""
    at = {
        "created_at": "2026-11-22T03:26:20.000000+00:00",
        "since": "2026-11-22T03:26:54.158000+00:00",
    }
    return stuck_saga(
        **{
            "current_step": "charge_payment",
            "attempt": 3,
            "deadline": "2026-11-22T03:27:24.158000+00:00",
            "updated_at": at["since"],
            **at,
            **fields,
        }
    )


STUCK = [
    _stuck(),
    _stuck(
        saga_id=OTHER_SAGA_ID,
        definition="returns",
        business_key="ret-22",
        parent_key="ord-1",
        state="compensating",
        current_step="reserve_inventory",
        attempt=12,
        deadline="2026-11-22T03:28:00",
        updated_at="2026-11-22T03:20:00",
        since="2026-11-22T03:20:00",
        waiting_on=None,  # a failed compensation's retry is due
    ),
]


def test_stuck_lists_what_each_saga_waits_on_since_when_and_at_which_attempt(
    sagactl: Sagactl,
) -> None:
    code, app = sagactl.run(
        ["--timeout", "5", "stuck", "--limit", "2"],
        **{"orchestrator.stuck_sagas": [STUCK]},
    )
    lines = sagactl.printed().out.splitlines()

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.stuck_sagas", {"limit": 2}, 5.0)]
    assert words(lines[0]) == (
        "SAGA ID DEFINITION KEY STATE STEP ATTEMPT WAITING SINCE (UTC) DEADLINE (UTC) WAITING ON"
    )
    assert words(lines[1]) == (
        f"{SAGA_ID} checkout@1 ord-1 running charge_payment 3"
        " 2026-11-22 03:26:54.158 2026-11-22 03:27:24.158 c4d8aa52"
    )
    assert words(lines[2]) == (
        f"{OTHER_SAGA_ID} returns@1 ret-22 compensating reserve_inventory 12"
        " 2026-11-22 03:20:00.000 2026-11-22 03:28:00.000 -"
    )
    # columns line up; attempts are right-aligned
    assert lines[1].index("running") == lines[2].index("compensating")
    assert lines[1].index("3 ") + 1 == lines[2].index("12 ") + 2


def test_stuck_says_so_when_there_are_none_and_defaults_to_100(sagactl: Sagactl) -> None:
    code, app = sagactl.run(["stuck"], **{"orchestrator.stuck_sagas": [[]]})

    assert code == 0
    assert sagactl.printed().out == "no stuck sagas\n"
    assert app.sent[0][1] == {"limit": 100}


def test_stuck_json_prints_the_raw_result(sagactl: Sagactl) -> None:
    code, _ = sagactl.run(["stuck", "--json"], **{"orchestrator.stuck_sagas": [STUCK]})

    assert code == 0
    assert json.loads(sagactl.printed().out) == STUCK


def test_a_stuck_parallel_group_shows_every_message_it_waits_on() -> None:
    row = _stuck(waiting_on=f"{MESSAGE_ID}, 5789e305-222b-4230-b860-c3c790d67861")
    table = format_stuck_table([StuckSaga.model_validate(row)])
    assert table.splitlines()[1].endswith("c4d8aa52, 5789e305")
