"""``sagactl retention`` as text: per service, per table, the rows held, the oldest, what
the next retention run would delete and the setting in force (docs/operations.md)."""

from __future__ import annotations

from console.text import columns, stamp
from messaging.contracts.read_models import RetentionReport

HEADER = ("table", "rows", "oldest", "next run deletes", "setting")


def format_retention(report: RetentionReport) -> str:
    rows = [HEADER] + [
        (t.table, str(t.rows), stamp(t.oldest), str(t.next_run_deletes), t.setting)
        for t in report.tables
    ]
    lines = [f"{report.service}:"] + ["  " + line for line in columns(rows, frozenset({1, 3}))]
    if report.export_dir:
        lines.append(f"  finished sagas are written to {report.export_dir} before deletion")
    return "\n".join(lines)
