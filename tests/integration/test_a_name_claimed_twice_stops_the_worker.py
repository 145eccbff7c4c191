"""Two message types with one name stop a real worker at start, naming both classes:
a copy of ``sagas/`` with a folder whose events reuse payment's ``ChargePayment`` name is
on the path of a participant's Celery worker, which exits before it consumes anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sagas

HERE = Path(__file__).resolve().parent

CLASHING_EVENTS = """
from messaging.contracts.base import MessageKind, Payload


class ChargePayment(Payload):  # payment's command already has this name
    message_type = "ChargePayment"
    kind = MessageKind.EVENT

    card_id: str


MESSAGES = (ChargePayment,)
"""


def test_a_worker_with_two_schemas_for_one_name_exits_naming_both(tmp_path: Path) -> None:
    package = tmp_path / "sagas"
    shutil.copytree(Path(sagas.__file__).parent, package)
    (package / "clash").mkdir()
    (package / "clash" / "__init__.py").write_text('"""A saga folder whose event clashes."""\n')
    (package / "clash" / "events.py").write_text(CLASHING_EVENTS)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(HERE.parents[1])]),
        "SAGA_BROKER_URL": "memory://",  # it must exit before it would connect
        "SAGA_DATA_DIR": str(tmp_path / "data"),
    }
    worker = [
        sys.executable, "-m", "celery", "-A", "participants.inventory.worker", "worker",
        "--pool", "solo", "--without-mingle", "--without-gossip", "-Q", "clash-never-used",
    ]  # fmt: skip

    done = subprocess.run(
        worker, env=env, cwd=tmp_path, capture_output=True, timeout=120, check=False
    )

    output = (done.stdout + done.stderr).decode()
    assert done.returncode != 0, output
    assert "inventory cannot start" in output, output
    assert "'ChargePayment' is defined twice" in output, output
    assert "messaging.contracts.payment.ChargePayment" in output, output
    assert "sagas.clash.events.ChargePayment" in output, output
