"""Which Redis the demo runs on.

- A Redis answers at ``SAGA_BROKER_URL`` (or, unset, the default local URL): that one.
- None answers at the default URL, the user set none, and ``redis-server`` is installed:
  a throwaway one of the demo's own (devtools/redis_server.py), no persistence, on
  127.0.0.1 and a free port, its files under the demo's work directory, stopped when the
  demo ends however it ends (Ctrl-C and errors included; kill -9: its reaper).
- Otherwise ``BrokerUnavailable``, saying why and what to do: a URL the user set is
  never replaced by another.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import redis

from devtools.redis_server import RedisServer
from messaging.settings import DEFAULT_BROKER_URL

INSTALL_HINT = (
    "Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) "
    "and run the demo again: it starts a throwaway redis-server of its own. Or start a Redis "
    "and set SAGA_BROKER_URL."
)


class BrokerUnavailable(Exception):
    """No Redis to run the demo on; the message says why and what to do."""


class Throwaway(Protocol):
    """What the demo needs of a Redis server it started (RedisServer, or a test's fake)."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Broker:
    url: str
    started: bool  # a throwaway redis-server of the demo's own


def no_answer(url: str) -> str | None:
    """Why no Redis answers a PING at ``url``, or None when one does."""
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) as client:
            client.ping()
    except redis.RedisError as exc:
        return str(exc) or type(exc).__name__
    return None


def start_throwaway(directory: Path) -> Throwaway:
    server = RedisServer(directory, durable=False)
    server.start()  # stops what it started if it fails
    return server


@contextmanager
def demo_broker(
    env: Mapping[str, str],
    workdir: Path,
    *,
    ping: Callable[[str], str | None] = no_answer,
    which: Callable[[str], str | None] = shutil.which,
    start: Callable[[Path], Throwaway] = start_throwaway,
) -> Iterator[Broker]:
    """The broker for the demo, for as long as the ``with`` block runs."""
    explicit = env.get("SAGA_BROKER_URL") or None
    url = explicit or DEFAULT_BROKER_URL
    why = ping(url)
    if why is None:
        yield Broker(url, started=False)
        return
    if explicit is not None:
        raise BrokerUnavailable(
            f"Redis does not answer at {url}, the URL SAGA_BROKER_URL names ({why}).\n"
            "Start the Redis it names, or unset SAGA_BROKER_URL to let the demo start "
            "a throwaway redis-server of its own."
        )
    if which("redis-server") is None:
        raise BrokerUnavailable(
            f"Redis does not answer at {url} ({why}), and redis-server is not on PATH "
            f"to start one.\n{INSTALL_HINT}"
        )
    server = start(workdir / "redis")
    try:
        yield Broker(server.url, started=True)
    finally:
        server.stop()
