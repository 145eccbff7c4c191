"""Adding a saga is adding a folder: a copy of ``sagas/`` with one more folder in it
(tests/third_saga/giftcard: input, events, definition, using payment's existing
ChargePayment) is all a fresh process needs to list it, decode its events and run it on a
real SQLite store. Nothing outside the folder is edited."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sagas

pytestmark = pytest.mark.service

HERE = Path(__file__).resolve().parent
FOLDER = HERE.parent / "third_saga" / "giftcard"

SCRIPT = r"""
import json, sys
from sqlalchemy import select
from messaging.codec import decode
from messaging.contracts import Envelope, catalog
from messaging.contracts.payment import PaymentCharged
from messaging.database import build_engine, create_schema
from messaging.outbox import add
from messaging.tables import metadata as platform_tables, outbox
from orchestrator import event_tables
from orchestrator.event_tables import event_log
from orchestrator.saga_registry import definitions
from orchestrator.saga_store import actions, tables
from orchestrator.worker import validate_input

engine = build_engine(sys.argv[1])
create_schema(engine, platform_tables, tables.metadata, event_tables.metadata)
giftcard = definitions()["giftcard"]
given = {"card_id": "gc-1", "amount_cents": 5000, "currency": "EUR", "payment_token": "tok_visa"}
with engine.begin() as conn:
    submitted = validate_input(giftcard, given, "giftcard input")
    started = actions.start(conn, giftcard, submitted, "c", {})
    add(conn, started.outgoing)
    command = conn.execute(select(outbox.c.body)).scalars().one()
reply = Envelope.wrap(
    PaymentCharged(order_id="gc-1", payment_id="pay_9", amount_cents=5000, currency="EUR"),
    saga_id=started.saga_id, correlation_id="c", causation_id=command["message_id"],
)
with engine.begin() as conn:
    actions.apply_reply(conn, definitions(), decode(reply.to_json_dict()))
with engine.begin() as conn:
    logged = conn.execute(select(event_log.c.body)).scalars().all()
print(json.dumps({
    "definitions": sorted(definitions()),
    "catalog_has_event": "GiftCardIssued" in catalog(),
    "command": command["type"],
    "events": [(e["type"], decode(e).payload.model_dump()) for e in logged],
}))
"""


def test_a_copied_sagas_package_with_one_more_folder_runs_the_new_saga(tmp_path: Path) -> None:
    package = tmp_path / "sagas"
    shutil.copytree(Path(sagas.__file__).parent, package)
    shutil.copytree(FOLDER, package / "giftcard")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(HERE.parents[1])])}
    url = f"sqlite:///{tmp_path / 'orchestrator.db'}"

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr.decode()
    found = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert found["definitions"] == ["checkout", "giftcard", "returns"]
    assert found["catalog_has_event"] is True
    assert found["command"] == "ChargePayment"
    assert found["events"] == [
        ["GiftCardIssued", {"card_id": "gc-1", "amount_cents": 5000, "payment_id": "pay_9"}]
    ]
