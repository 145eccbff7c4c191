"""The demo's broker (devtools/demo_broker.py): a Redis that answers is used; none at the
default URL with redis-server installed, a throwaway one is started and stopped when the
demo ends, an error included; a URL the user set that does not answer, or no redis-server
to start, stops the demo saying so. No Redis is reached: the ping, the PATH lookup and
the start are fakes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools import demo
from devtools.demo_broker import BrokerUnavailable, demo_broker
from devtools.redis_server import RedisServer
from devtools.smtp_sink import free_port
from messaging.settings import DEFAULT_BROKER_URL

USERS = "redis://redis.example:6380/2"
THROWAWAY = "redis://127.0.0.1:50123/0"


def answering(*urls: str) -> Callable[[str], str | None]:
    return lambda url: None if url in urls else "Connection refused"


def installed(name: str) -> str | None:
    return f"/usr/bin/{name}"


def not_installed(name: str) -> str | None:
    return None


@dataclass
class FakeServer:
    directory: Path
    url: str = THROWAWAY
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


@dataclass
class Starter:
    started: list[FakeServer] = field(default_factory=list)

    def __call__(self, directory: Path) -> FakeServer:
        self.started.append(FakeServer(directory))
        return self.started[-1]


@pytest.mark.parametrize(
    ("env", "url"), [({}, DEFAULT_BROKER_URL), ({"SAGA_BROKER_URL": USERS}, USERS)]
)
def test_a_redis_that_answers_is_used_and_none_is_started(
    env: dict[str, str], url: str, tmp_path: Path
) -> None:
    start = Starter()
    with demo_broker(env, tmp_path, ping=answering(url), which=installed, start=start) as broker:
        assert (broker.url, broker.started) == (url, False)
    assert start.started == []


def test_no_redis_at_the_default_url_starts_a_throwaway_one_stopped_at_the_end(
    tmp_path: Path,
) -> None:
    start = Starter()
    with demo_broker({}, tmp_path, ping=answering(), which=installed, start=start) as broker:
        assert (broker.url, broker.started) == (THROWAWAY, True)
        [server] = start.started
        assert server.directory == tmp_path / "redis"
        assert not server.stopped
    assert server.stopped


def test_the_throwaway_redis_is_stopped_when_the_demo_fails_or_is_interrupted(
    tmp_path: Path,
) -> None:
    start = Starter()
    with (
        pytest.raises(KeyboardInterrupt),
        demo_broker({}, tmp_path, ping=answering(), which=installed, start=start),
    ):
        raise KeyboardInterrupt
    assert [server.stopped for server in start.started] == [True]


def test_a_url_the_user_set_that_does_not_answer_stops_the_demo_naming_it(
    tmp_path: Path,
) -> None:
    start = Starter()
    env = {"SAGA_BROKER_URL": USERS}
    with (
        pytest.raises(BrokerUnavailable, match="SAGA_BROKER_URL") as raised,
        demo_broker(env, tmp_path, ping=answering(), which=installed, start=start),
    ):
        pytest.fail("the demo ran without a broker")
    assert USERS in str(raised.value)
    assert start.started == []


def test_the_default_url_set_explicitly_is_not_replaced_either(tmp_path: Path) -> None:
    start = Starter()
    env = {"SAGA_BROKER_URL": DEFAULT_BROKER_URL}
    with (
        pytest.raises(BrokerUnavailable, match="SAGA_BROKER_URL"),
        demo_broker(env, tmp_path, ping=answering(), which=installed, start=start),
    ):
        pytest.fail("the demo ran without a broker")
    assert start.started == []


def test_without_redis_server_installed_the_demo_stops_with_the_install_hint(
    tmp_path: Path,
) -> None:
    start = Starter()
    with (
        pytest.raises(BrokerUnavailable, match="redis-server is not on PATH") as raised,
        demo_broker({}, tmp_path, ping=answering(), which=not_installed, start=start),
    ):
        pytest.fail("the demo ran without a broker")
    assert DEFAULT_BROKER_URL in str(raised.value)
    assert "apt-get install redis-server" in str(raised.value)
    assert start.started == []


@pytest.mark.parametrize(
    ("durable", "options"),
    [
        (False, ["--appendonly", "no", "--save", ""]),
        (True, ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]),
    ],
)
def test_the_throwaway_server_persists_only_when_durable(
    durable: bool, options: list[str], tmp_path: Path
) -> None:
    argv = RedisServer(tmp_path, durable=durable).argv()
    assert argv[0] == "redis-server"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1"
    assert argv[argv.index("--dir") + 1] == str(tmp_path)
    start = argv.index("--appendonly")
    assert argv[start : start + len(options)] == options


def test_saga_demo_stops_before_starting_anything_when_its_url_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a free port: refused at once
    monkeypatch.setenv("SAGA_BROKER_URL", nobody)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        demo.main([])
    assert nobody in str(stopped.value.code)
    assert list(tmp_path.iterdir()) == [], "the demo's work directory was left behind"
