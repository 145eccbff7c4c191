"""A client that imports none of our packages submits by task name and reads the saga."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.platform import RunningPlatform, new_sku, order

CLIENT = textwrap.dedent(
    """
    import json, sys, time
    from celery import Celery

    broker, backend, order = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    app = Celery(broker=broker, backend=backend)
    placed = app.send_task("orchestrator.place_order", kwargs=order).get(timeout=30)
    deadline = time.monotonic() + 30
    while True:
        saga = app.send_task("orchestrator.get_saga", kwargs={"saga_id": placed["saga_id"]}).get(
            timeout=30
        )
        if saga["state"] in ("completed", "compensated", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    ours = sorted(
        m for m in sys.modules
        if m.split(".")[0] in ("orchestrator", "participants", "reactors", "messaging", "tests")
    )
    print(json.dumps({"placed": placed, "saga": saga, "our_modules": ours}))
    """
)


def test_plain_celery_client_submits_and_reads(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 3)
    submitted = order(sku=sku, quantity=1)

    # Run from a directory where our packages are not importable by accident, with the
    # default routing: no queue given, so the task API must be reachable by name alone.
    completed = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            CLIENT,
            platform.broker_url,
            platform.results_url,
            json.dumps(submitted),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        cwd="/",
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)

    assert result["our_modules"] == []
    assert result["placed"]["order_id"] == submitted["order_id"]
    assert result["saga"]["state"] == "completed"
    assert result["saga"]["saga_id"] == result["placed"]["saga_id"]
    assert [s["name"] for s in result["saga"]["steps"]] == [
        "reserve_inventory",
        "screen_fraud",
        "charge_payment",
        "create_shipment",
    ]
