"""The throwaway redis-server of the demo and the e2e tests (devtools/redis_server.py), on
a free port of its own (never the shared Redis): it answers once started, binds loopback,
keeps no files unless durable, and once stopped no process of it is left, nor its
watchdog; one that cannot start says so, names its log and leaves nothing either."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import pytest
import redis

from devtools.demo_broker import demo_broker
from devtools.redis_server import RedisServer


def living(groups: set[int]) -> set[int]:
    """The process groups among ``groups`` that still have a live (non-zombie) process."""
    alive = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, pgid = stat.read_text().rpartition(")")[2].split()[:3]
            if int(pgid) in groups and state != "Z":
                alive.add(int(pgid))
    return alive


def test_a_throwaway_server_answers_then_stops_and_leaves_no_process(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        assert server.process is not None and server._reaper is not None
        groups = {server.process.pid, server._reaper.watchdog.pid}
        assert living(groups) == groups
        with redis.Redis.from_url(server.url, socket_timeout=5) as client:
            assert client.ping()
            client.set("written", "1")
            assert client.config_get("bind") == {"bind": "127.0.0.1"}
            assert client.config_get("appendonly") == {"appendonly": "no"}
            assert client.config_get("save") == {"save": ""}
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        assert server.port != 6379
        watchdog = server._reaper.watchdog
    finally:
        server.stop()

    assert server.process is None
    assert watchdog.returncode is not None, "the reaper's watchdog outlived the server"
    assert not living(groups)
    assert not list((tmp_path / "redis").glob("appendonly*")), "persistence files were kept"
    with pytest.raises(redis.ConnectionError), redis.Redis.from_url(server.url) as client:
        client.ping()


def test_a_durable_server_appends_every_write_with_fsync_always(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", durable=True)
    server.start()
    try:
        with redis.Redis.from_url(server.url, socket_timeout=5) as client:
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            assert client.config_get("appendfsync") == {"appendfsync": "always"}
    finally:
        server.stop()


def test_a_server_that_cannot_start_names_its_log_and_leaves_nothing(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: redis-server cannot bind it
        server = RedisServer(tmp_path / "redis")
        server.port = taken.getsockname()[1]
        server.url = f"redis://127.0.0.1:{server.port}/0"
        with pytest.raises(RuntimeError, match="redis-server exited") as raised:
            server.start()

    assert str(server.log_path) in str(raised.value)
    assert server.process is None and server._reaper is None


def test_the_demo_starts_its_throwaway_under_its_work_dir_and_stops_it(tmp_path: Path) -> None:
    """The demo's own start (the ping faked, so the shared Redis is never asked)."""
    with demo_broker({}, tmp_path, ping=lambda url: "refused") as broker:
        assert broker.started
        with redis.Redis.from_url(broker.url, socket_timeout=5) as client:
            assert client.ping()
            assert client.config_get("dir") == {"dir": str(tmp_path / "redis")}
            pid = client.info("server")["process_id"]
        assert living({pid}) == {pid}
    assert not living({pid})
