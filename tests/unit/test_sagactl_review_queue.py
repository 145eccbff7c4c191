"""sagactl ``review`` (the sagas awaiting approval, soonest deadline first) and ``list
--state|--definition``, against a stand-in for the Celery app."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console import cli
from console.tables import format_review_table
from tests.unit.sagactl_stand_in import OTHER_SAGA_ID, SAGA_ID, Sagactl, saga_summary, sent_tasks

THIRD_SAGA_ID = "5b0c1f7e-2a43-4d59-9c07-3d0b1e9f6a11"


def _summary(saga_id: str, key: str, updated_at: str, deadline: str | None) -> dict[str, Any]:
    """A list_sagas row of a saga awaiting approval."""
    return saga_summary(
        saga_id=saga_id,
        business_key=key,
        summary={"total": "6,000.00 EUR"},
        state="awaiting_approval",
        current_step="charge_payment",
        deadline=deadline,
        created_at=updated_at,
        updated_at=updated_at,
    )


# newest first, as list_sagas answers
AWAITING = [
    _summary(SAGA_ID, "ord-3", "2026-11-22T09:00:00.000000", "2026-11-23T09:00:00+00:00"),
    _summary(OTHER_SAGA_ID, "ord-2", "2026-11-22T08:00:00.000000", None),
    _summary(THIRD_SAGA_ID, "ord-1", "2026-11-22T07:00:00.000000", "2026-11-23T07:00:00"),
]


@pytest.mark.parametrize(
    ("options", "asked"),
    [
        (["--state", "awaiting_approval"], {"state": "awaiting_approval", "limit": 100}),
        (["--definition", "checkout", "--limit", "5"], {"definition": "checkout", "limit": 5}),
    ],
)
def test_list_filters_on_a_state_or_a_definition(
    sagactl: Sagactl,
    options: list[str],
    asked: dict[str, Any],
) -> None:
    code, app = sagactl.run(["list", *options], **{"orchestrator.list_sagas": [AWAITING[:1]]})

    assert code == 0
    assert sent_tasks(app) == [("orchestrator.list_sagas", asked, 15.0)]
    header, row = sagactl.printed().out.splitlines()
    assert header.split()[:4] == ["SAGA", "ID", "DEFINITION", "KEY"]
    assert row.split()[:4] == [SAGA_ID, "checkout@1", "ord-3", "awaiting_approval"]
    assert row.endswith("total 6,000.00 EUR")


def test_list_help_names_every_state(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["list", "--help"])
    assert "awaiting_approval" in capsys.readouterr().out


def test_review_lists_the_sagas_awaiting_approval_soonest_deadline_first(sagactl: Sagactl) -> None:
    code, app = sagactl.run(["review"], **{"orchestrator.list_sagas": [AWAITING]})

    assert code == 0
    # the whole queue (list_sagas' cap), sorted here: the newest are not the most urgent
    assert sent_tasks(app) == [
        ("orchestrator.list_sagas", {"state": "awaiting_approval", "limit": 1000}, 15.0)
    ]
    assert sagactl.printed().out.splitlines() == [
        "SAGA ID                               DEFINITION  KEY    WAITING SINCE (UTC)"
        "      DEADLINE (UTC)           SUMMARY",
        f"{THIRD_SAGA_ID}  checkout@1  ord-1  2026-11-22 07:00:00.000"
        "  2026-11-23 07:00:00.000  total 6,000.00 EUR",
        f"{SAGA_ID}  checkout@1  ord-3  2026-11-22 09:00:00.000"
        "  2026-11-23 09:00:00.000  total 6,000.00 EUR",
        f"{OTHER_SAGA_ID}  checkout@1  ord-2  2026-11-22 08:00:00.000"
        "  -                        total 6,000.00 EUR",
    ]


def test_review_with_a_limit_says_how_many_more_wait(sagactl: Sagactl) -> None:
    code, _ = sagactl.run(["review", "--limit", "1"], **{"orchestrator.list_sagas": [AWAITING]})
    lines = sagactl.printed().out.splitlines()

    assert code == 0
    assert [line.split()[2] for line in lines[1:-1]] == ["ord-1"]
    assert lines[-1] == "2 more awaiting approval, with later deadlines (--limit 3 shows them)"


def test_review_json_prints_the_queue_as_shown(sagactl: Sagactl) -> None:
    code, _ = sagactl.run(
        ["review", "--json", "--limit", "2"], **{"orchestrator.list_sagas": [AWAITING]}
    )

    assert code == 0
    assert json.loads(sagactl.printed().out) == [AWAITING[2], AWAITING[0]]


def test_review_says_so_when_nothing_waits(sagactl: Sagactl) -> None:
    code, _ = sagactl.run(["review"], **{"orchestrator.list_sagas": [[]]})

    assert code == 0
    assert sagactl.printed().out == "no sagas awaiting approval\n"
    assert format_review_table([]) == "no sagas awaiting approval"


def test_review_warns_when_the_listing_may_be_cut(sagactl: Sagactl) -> None:
    many = [AWAITING[0]] * 1000
    code, _ = sagactl.run(["review", "--limit", "1000"], **{"orchestrator.list_sagas": [many]})

    assert code == 0
    assert sagactl.printed().out.splitlines()[-1] == (
        "only the newest 1000 were listed: older ones may be missing here"
    )
