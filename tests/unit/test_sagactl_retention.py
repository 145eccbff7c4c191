"""``sagactl retention`` against the stand-in: each chosen service's ``<service>.retention``
asked, its tables printed (rows, oldest, what the next run deletes, the setting); --json
keeps the answers; a service that fails is named and the exit code is 1."""

from __future__ import annotations

import json
from typing import Any

from messaging.contracts.read_models import RetentionReport
from tests.unit.sagactl_stand_in import AT, Sagactl, answer, words


def report(service: str, export_dir: str | None = None) -> dict[str, Any]:
    tables = [
        {
            "table": "outbox",
            "rows": 1200,
            "oldest": AT,
            "next_run_deletes": 700,
            "setting": "SAGA_RETENTION_OUTBOX_HOURS (24 h)",
        },
        {
            "table": "inbox",
            "rows": 0,
            "oldest": None,
            "next_run_deletes": 0,
            "setting": "SAGA_RETENTION_INBOX_DAYS=keep",
        },
    ]
    fields = {"service": service, "tables": tables, "export_dir": export_dir}
    return answer(RetentionReport, fields)


def test_each_table_with_what_the_next_run_deletes(sagactl: Sagactl) -> None:
    outcomes = {
        "orchestrator.retention": report("orchestrator", export_dir="/var/exports"),
        "inventory.retention": report("inventory"),
    }
    code, app = sagactl.answered_once(
        ["retention", "--service", "orchestrator", "--service", "inventory"], **outcomes
    )
    out, err = sagactl.printed()
    assert code == 0 and err == ""
    lines = [words(line) for line in out.splitlines()]
    assert lines[:4] == [
        "orchestrator:",
        "table rows oldest next run deletes setting",
        "outbox 1200 2026-11-22 03:26:24.158 700 SAGA_RETENTION_OUTBOX_HOURS (24 h)",
        "inbox 0 - 0 SAGA_RETENTION_INBOX_DAYS=keep",
    ]
    assert "finished sagas are written to /var/exports before deletion" in lines[4]
    assert "inventory:" in lines
    assert [name for name, _, _ in app.sent if name.endswith(".retention")] == [
        "orchestrator.retention",
        "inventory.retention",
    ]


def test_json_keeps_the_answers(sagactl: Sagactl) -> None:
    answered = report("payment")
    code, _ = sagactl.answered_once(
        ["retention", "--json", "--service", "payment"], **{"payment.retention": answered}
    )
    assert code == 0
    (printed,) = json.loads(sagactl.printed().out)
    assert RetentionReport.model_validate(printed) == RetentionReport.model_validate(answered)


def test_a_service_that_fails_is_named(sagactl: Sagactl) -> None:
    outcomes = {
        "orchestrator.retention": report("orchestrator"),
        "payment.retention": RuntimeError("database is locked"),
    }
    code, _ = sagactl.answered_once(
        ["retention", "--service", "orchestrator", "--service", "payment"], **outcomes
    )
    out, err = sagactl.printed()
    assert code == 1
    assert "orchestrator:" in out
    assert "payment" in err and "database is locked" in err
