"""A reactor's announcement that cannot be taken is refused with a reason, and a reactor
whose declaration is wrong does not start; an event type nobody publishes is taken with a
warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.platform import RunningPlatform

GOOD: dict[str, Any] = {
    "name": "watcher",
    "events": ["OrderConfirmed"],
    "start": "latest",
    "owner": "watcher",
}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"name": "Bad Name"}, "name: Value error, reactor name 'Bad Name' must match"),
        ({"events": []}, "events: List should have at least 1 item"),
        ({"start": "yesterday"}, "unknown start position 'yesterday'"),
    ],
)
def test_a_bad_announcement_is_refused_with_its_reason(
    platform: RunningPlatform, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValueError, match="announcement refused") as refused:
        platform.call("events.subscribe", **{**GOOD, **changes})
    assert reason in str(refused.value)
    names = [s["name"] for s in platform.call("events.subscriptions")]
    assert "watcher" not in names


def test_an_event_type_nobody_publishes_is_taken_with_a_warning(
    platform: RunningPlatform,
) -> None:
    answer = platform.call("events.subscribe", **{**GOOD, "events": ["OrderShipped"]})
    try:
        assert answer["warnings"] == ["no service publishes 'OrderShipped'"]
        listed = {s["name"]: s for s in platform.call("events.subscriptions")}
        assert listed["watcher"]["warnings"] == answer["warnings"]
    finally:
        platform.call("events.unsubscribe", name="watcher")


def run_reactor(
    platform: RunningPlatform, plugins: Path, *argv: str
) -> subprocess.CompletedProcess[str]:
    env = {**platform.processes.env, "PYTHONPATH": str(plugins), "SAGA_ANNOUNCE_TIMEOUT": "20"}
    return subprocess.run(
        [sys.executable, "-m", "messaging.reactor_worker", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_reactor_declared_with_no_events_does_not_start(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    info = tmp_path / "empty-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: empty\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[saga_platform.reactors]\nempty = empty:REACTOR\n")
    (tmp_path / "empty.py").write_text(
        "from messaging.reactors import Reactor\n"
        "REACTOR = Reactor(name='empty', events=frozenset(), handler='empty:build')\n"
    )
    done = run_reactor(platform, tmp_path, "empty", "-P", "solo")
    assert done.returncode == 2
    assert "cannot load the installed reactors: reactor 'empty' subscribes to no event" in (
        done.stderr
    )


def test_an_unknown_start_position_is_a_usage_error(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    plugins = Path(__file__).resolve().parents[1] / "plugins"
    done = run_reactor(platform, plugins, "audit", "--start", "yesterday")
    assert done.returncode == 2
    assert "unknown start position 'yesterday'" in done.stderr
