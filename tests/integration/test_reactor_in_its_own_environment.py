"""A reactor written from docs/adding-a-reactor.md (tests/reactor_package: the `loyalty`
example) and installed with pip only into a virtualenv of its own, never where the
orchestrator runs, gets every OrderConfirmed / OrderCancelled logged after it starts; with
`earliest`, or a backfill asked from its own environment, every earlier one, each once;
unsubscribed, it gets no more. No orchestrator, dispatcher, relay or sweeper process
restarts on the way.

The platform's own package reaches that virtualenv through a .pth file (as if installed
there too, offline); the reactor's package is built and installed by pip.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import sysconfig
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from devtools.launcher import Platform
from orchestrator.event_tables import event_log
from tests import broker_queues
from tests.platform import ROOT, RunningPlatform, new_sku, order, wait_for

PACKAGE = ROOT / "tests" / "reactor_package"
UNCHANGED = ("orchestrator", "events", "relay-orchestrator", "sweeper")

# Building the virtualenv (bounded at about 200 s in all) comes on top of the test's own
# bounded waits: more than the suite's 300 s per test on a machine half as fast.
pytestmark = pytest.mark.timeout(600)


@dataclass
class OwnEnvironment:
    python: Path
    env: dict[str, str]

    def sagactl(self, *argv: str) -> str:
        done = subprocess.run(
            [str(self.python), "-m", "console.cli", *argv],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the loyalty package pip-installed in it, and nowhere else."""
    directory = tmp_path_factory.mktemp("loyalty-venv")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True, timeout=120
    )
    python = directory / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    # the platform (celery, messaging.*) as if installed there too
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "platform.pth").write_text(f"{ours}\n{ROOT}\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-build-isolation", "--no-index", str(PACKAGE)],
        check=True,
        timeout=120,
    )  # fmt: skip
    installed = [e.name for e in entry_points(group="saga_platform.reactors")]
    assert "loyalty" not in installed, "installed where the tests (and the platform) run"
    return python


@pytest.fixture
def own(venv: Path, platform: RunningPlatform, tmp_path: Path) -> Iterator[OwnEnvironment]:
    env = {k: v for k, v in platform.processes.env.items() if k != "PYTHONPATH"}
    env.update(
        REACTOR_LOYALTY_DATABASE_URL=f"sqlite:///{tmp_path / 'loyalty.db'}",
        REACTOR_LOYALTY_LEDGER_DATABASE_URL=f"sqlite:///{tmp_path / 'ledger.db'}",
    )
    yield OwnEnvironment(venv, env)
    for name in ("loyalty", "loyalty_ledger"):  # later tests' events need not pile up
        done = subprocess.run(
            [str(venv), "-m", "console.cli", "reactors", "unsubscribe", name],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr


def start_reactor(own: OwnEnvironment, platform: RunningPlatform, name: str) -> Platform:
    command = f"{own.python} -m messaging.reactor_worker {name} -P solo"
    reactor = Platform({name: command}, own.env, platform.processes.log_dir)
    reactor.start()
    node = f"reactor.{name}@{socket.gethostname()}"

    def answered() -> bool:
        if reactor.processes[name].poll() is not None:
            log = (platform.processes.log_dir / f"{name}.log").read_text()[-3000:]
            raise AssertionError(f"{name} exited: {log}")
        return bool(platform.client.control.ping(destination=[node], timeout=0.5))

    wait_for(answered, bool, timeout=90, interval=0.2)
    return reactor


def place(platform: RunningPlatform, sku: str, country: str = "FR") -> str:
    submitted = order(sku=sku, quantity=1, country=country)
    placed = platform.call("orchestrator.place_order", **submitted)
    expected = "completed" if country == "FR" else "compensated"
    assert platform.wait_for_saga(placed["saga_id"])["state"] == expected
    return str(submitted["order_id"])


def entries(platform: RunningPlatform, name: str) -> Counter[str]:
    rows = platform.call(f"reactor.{name}.entries", timeout=30)
    return Counter(row["order_id"] for row in rows)


def pids(platform: RunningPlatform) -> dict[str, int]:
    return {name: platform.processes.processes[name].pid for name in UNCHANGED}


def test_a_reactor_from_its_own_virtualenv_gets_every_event_once(
    platform: RunningPlatform, own: OwnEnvironment
) -> None:
    before = pids(platform)
    sku = new_sku()
    platform.set_stock(sku, 10)
    since = datetime.now(UTC).isoformat()
    earlier = [place(platform, sku), place(platform, sku, country="ZZ")]

    loyalty = start_reactor(own, platform, "loyalty")
    try:
        later = [place(platform, sku), place(platform, sku, country="ZZ")]
        got = wait_for(lambda: entries(platform, "loyalty"), lambda c: all(c[o] for o in later), 30)
        assert not any(got[o] for o in earlier), "latest: nothing from before it started"

        out = own.sagactl("reactors", "backfill", "loyalty", "--since", since)
        assert out.startswith("sending 4 past events")
        got = wait_for(
            lambda: entries(platform, "loyalty"),
            lambda c: all(c[o] for o in earlier + later),
            30,
        )
        assert [got[o] for o in earlier + later] == [1, 1, 1, 1]

        ledger = start_reactor(own, platform, "loyalty_ledger")  # start="earliest"
        try:
            with platform.engines["orchestrator"].begin() as conn:
                logged = conn.execute(
                    select(func.count())
                    .select_from(event_log)
                    .where(event_log.c.event_type.in_(["OrderConfirmed", "OrderCancelled"]))
                ).scalar_one()
            history = wait_for(
                lambda: entries(platform, "loyalty_ledger"),
                lambda c: sum(c.values()) >= logged,
                60,
            )
            assert sum(history.values()) == logged
            assert [history[o] for o in earlier + later] == [1, 1, 1, 1]
            listed = {s["name"]: s for s in platform.call("events.subscriptions")}
            assert listed["loyalty_ledger"]["origin"] == "announced"
            assert listed["loyalty_ledger"]["start"] == "earliest"
        finally:
            ledger.stop()

        own.sagactl("reactors", "unsubscribe", "loyalty_ledger")
        last = place(platform, sku)
        wait_for(lambda: entries(platform, "loyalty"), lambda c: c[last] == 1, 30)
        retired = broker_queues.depth(platform.broker_url, "reactor.loyalty_ledger")
        assert retired == 0, "retired, yet given copies"
        listing = own.sagactl("reactors", "list")
        assert any(
            line.split()[:2] == ["loyalty_ledger", "announced"] and "unsubscribed" in line
            for line in listing.splitlines()
        ), listing
    finally:
        loyalty.stop()
    assert pids(platform) == before, "an orchestrator-side process restarted"
    assert all(platform.processes.processes[n].poll() is None for n in UNCHANGED)


def test_a_name_another_reactor_holds_is_refused_and_the_reactor_does_not_start(
    platform: RunningPlatform, own: OwnEnvironment, tmp_path: Path
) -> None:
    """The package declares `loyalty`; an impostor package declaring `audit` (held by the
    audit reactor) in the same environment must not start."""
    impostor = tmp_path / "impostor"
    (impostor / "impostor-0.1.dist-info").mkdir(parents=True)
    (impostor / "impostor-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: impostor\nVersion: 0.1\n"
    )
    (impostor / "impostor-0.1.dist-info" / "entry_points.txt").write_text(
        "[saga_platform.reactors]\naudit = impostor:REACTOR\n"
    )
    (impostor / "impostor.py").write_text(
        "from messaging.reactors import Reactor\n"
        "REACTOR = Reactor(name='audit', events=frozenset({'OrderConfirmed'}),"
        " handler='impostor:build')\n"
    )
    done = subprocess.run(
        [str(own.python), "-m", "messaging.reactor_worker", "audit", "-P", "solo"],
        env={**own.env, "PYTHONPATH": str(impostor), "SAGA_ANNOUNCE_TIMEOUT": "30"},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "reactor name 'audit' is held by another reactor (package 'audit_reactor'" in (
        done.stderr
    )
    listed: dict[str, Any] = {s["name"]: s for s in platform.call("events.subscriptions")}
    assert listed["audit"]["owner"] == "audit_reactor"
