"""With tracing on, one checkout is one trace: every hop (the order, each command and
reply, each reactor's copy of OrderConfirmed) and a command the relay sends late."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis

from devtools.smtp_sink import SmtpSink
from tests.conftest import REDIS_BASE, REDIS_DB
from tests.platform import ROOT, require_redis


@pytest.fixture(scope="module")
def spans(tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink) -> list[dict[str, Any]]:
    broker_url = f"{REDIS_BASE}/{REDIS_DB['traced']}"
    require_redis(broker_url)
    with redis.Redis.from_url(broker_url) as client:
        client.flushdb()  # nothing runs on it yet
    data_dir = tmp_path_factory.mktemp("traced")
    argv = [sys.executable, "-m", "tests.traced_platform", broker_url, str(data_dir)]
    try:  # its own waits (workers up, four sagas, the reactors) are bounded inside
        done = subprocess.run(
            [*argv, str(smtp_sink.port)],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
    except subprocess.TimeoutExpired as exc:  # keep what it said, for the reader
        (Path(data_dir) / "platform.log").write_text(str(exc.stderr or ""))
        raise
    (Path(data_dir) / "platform.log").write_text(done.stderr)
    assert done.returncode == 0, done.stderr[-4000:]
    found: list[dict[str, Any]] = json.loads(done.stdout)
    # Not hops of the saga: the test's stock set-up, and the event dispatcher's checks of
    # what each reactor holds (each check and its answer is a trace of its own).
    return [
        span
        for span in found
        if span["task_name"] != "inventory.set_stock"
        and not str(span["task_name"]).endswith(".check_deliveries")
        and span["task_name"] != "events.acknowledge"
    ]


def test_every_hop_of_the_saga_is_in_one_trace(spans: list[dict[str, Any]]) -> None:
    assert len({span["trace_id"] for span in spans}) == 1
    runs = Counter(span["task_name"] for span in spans if span["kind"] == "CONSUMER")
    assert runs["orchestrator.place_order"] == 1
    for service in ("inventory", "payment", "shipping"):
        assert runs[f"{service}.handle_message"] >= 1, runs
    assert runs["orchestrator.handle_message"] >= 3, runs  # the three replies
    for reactor in ("email", "analytics", "crm"):
        assert runs[f"reactor.{reactor}.handle_message"] == 1, runs


def test_spans_form_one_tree_rooted_at_the_order(spans: list[dict[str, Any]]) -> None:
    ids = {span["span_id"] for span in spans}
    roots = [span for span in spans if span["parent_id"] is None]
    assert [root["name"] for root in roots] == ["apply_async/orchestrator.place_order"]
    orphans = [span for span in spans if span["parent_id"] and span["parent_id"] not in ids]
    assert orphans == []


def test_a_command_the_relay_sends_late_stays_in_the_trace(spans: list[dict[str, Any]]) -> None:
    resent = spans[0]["resent_message_id"]
    publishes = [s for s in spans if s["kind"] == "PRODUCER" and s["task_id"] == resent]
    assert len(publishes) == 2  # the fast path, then the relay
    placed = next(s for s in spans if s["name"] == "run/orchestrator.place_order")
    # both hang off the span that wrote the command, though the relay ran outside it
    assert {s["parent_id"] for s in publishes} == {placed["span_id"]}
