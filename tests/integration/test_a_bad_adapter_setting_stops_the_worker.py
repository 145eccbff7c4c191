"""A payment, shipping or fraud worker whose adapter setting names nothing usable exits at
start, naming the variable and why, before it consumes anything. Its broker is in memory:
the worker stops before it would connect, and nothing here touches a shared Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    ("service", "variable", "value", "says"),
    [
        (
            "payment",
            "PAYMENT_CARD_NETWORK",
            "acme_pay.network:build",
            "cannot import acme_pay.network",
        ),
        ("shipping", "SHIPPING_CARRIER", "parcel-co", "expected fake or module:factory"),
        ("fraud", "FRAUD_SCORER", "riskcorp", "expected fake or module:factory"),
    ],
)
def test_a_worker_with_a_bad_adapter_setting_exits_naming_it(
    tmp_path: Path, service: str, variable: str, value: str, says: str
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE.parents[1]),
        "SAGA_BROKER_URL": "memory://",
        "SAGA_RESULT_BACKEND": "cache+memory://",
        "SAGA_DATA_DIR": str(tmp_path / "data"),
        variable: value,
    }
    worker = [
        sys.executable, "-m", "celery", "-A", f"participants.{service}.worker", "worker",
        "--pool", "solo", "--without-mingle", "--without-gossip", "-Q", f"{service}-never-used",
    ]  # fmt: skip

    done = subprocess.run(
        worker, env=env, cwd=tmp_path, capture_output=True, timeout=120, check=False
    )

    output = (done.stdout + done.stderr).decode()
    assert done.returncode != 0, output
    assert f"{service} cannot start: {variable}={value!r}: {says}" in output, output
