"""With SAGA_RETENTION_EXPORT_DIR set, each finished saga retention deletes is first
written to a JSON-lines file there: one line per saga, its row and its whole history in
order; the sagas that stay are not written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from orchestrator import retention as orchestrator_retention
from tests.service.retention_stores import HISTORY_PER_SAGA, every_saga, settings


def test_the_export_holds_each_saga_and_its_history(
    orchestrator_store: Engine, tmp_path: Path
) -> None:
    made = every_saga(orchestrator_store)
    exported = tmp_path / "exports"
    kept = settings(SAGA_RETENTION_EXPORT_DIR=str(exported), SAGA_RETENTION_BATCH="1")

    done = orchestrator_retention.run(orchestrator_store, kept)

    (written,) = exported.glob("sagas-*.jsonl")
    lines = [json.loads(line) for line in written.read_text().splitlines()]
    assert done.deleted["sagas"] == len(lines) == 2  # two batches of one, one file
    assert sorted(made[line["saga"]["saga_id"]] for line in lines) == [
        "compensated old",
        "completed old",
    ]
    for line in lines:
        saga, history = line["saga"], line["history"]
        assert saga["status"] in ("completed", "compensated")
        assert saga["data"] == {"order_id": saga["saga_id"]}
        assert saga["updated_at"].endswith("+00:00")
        assert [entry["detail"] for entry in history] == [{"n": n} for n in range(HISTORY_PER_SAGA)]
        assert {entry["saga_id"] for entry in history} == {saga["saga_id"]}
