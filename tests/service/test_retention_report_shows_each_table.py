"""What ``<service>.retention`` answers (``sagactl retention``): per table, the rows held,
the oldest, what a run now would delete, the setting in force; the orchestrator adds its
sagas, their history and the event log. A run then deletes what the report said."""

from __future__ import annotations

from sqlalchemy import Engine

from messaging import retention
from messaging.contracts.read_models import RetentionReport
from orchestrator import retention as orchestrator_retention
from tests.service.retention_stores import (
    HISTORY_PER_SAGA,
    OLD,
    add_dead_letter,
    add_inbox,
    add_outbox,
    every_saga,
    settings,
)


def test_the_report_counts_what_the_next_run_deletes(orchestrator_store: Engine) -> None:
    engine = orchestrator_store
    every_saga(engine)
    add_outbox(engine, OLD, OLD)
    add_outbox(engine, OLD, None)
    add_inbox(engine, OLD)
    add_dead_letter(engine, OLD, "parked", None)
    kept = settings(SAGA_RETENTION_INBOX_DAYS="keep")

    tables = retention.report(engine, kept, [orchestrator_retention.report])
    shown = {t.table: t for t in tables}
    report = RetentionReport.model_validate(
        RetentionReport(service="orchestrator", tables=tables).model_dump(mode="json")
    )

    assert [t.table for t in report.tables] == [
        "outbox",
        "inbox",
        "dead_letters",
        "sagas",
        "saga_history",
        "event_log",
    ]
    assert (shown["outbox"].rows, shown["outbox"].next_run_deletes) == (2, 1)
    oldest = shown["outbox"].oldest
    assert oldest is not None and abs((oldest - OLD).total_seconds()) < 1
    assert shown["outbox"].setting == "SAGA_RETENTION_OUTBOX_HOURS (24 h)"
    assert (shown["inbox"].rows, shown["inbox"].next_run_deletes) == (1, 0)
    assert shown["inbox"].setting == "SAGA_RETENTION_INBOX_DAYS=keep"
    assert (shown["dead_letters"].rows, shown["dead_letters"].next_run_deletes) == (1, 0)
    assert (shown["sagas"].rows, shown["sagas"].next_run_deletes) == (12, 2)
    assert shown["saga_history"].next_run_deletes == 2 * HISTORY_PER_SAGA
    assert (shown["event_log"].rows, shown["event_log"].oldest) == (0, None)

    shared = retention.run(engine, retention.shared_targets(kept), kept)
    own = orchestrator_retention.run(engine, kept)
    assert shared.deleted["outbox"] == shown["outbox"].next_run_deletes
    assert own.deleted["sagas"] == shown["sagas"].next_run_deletes
