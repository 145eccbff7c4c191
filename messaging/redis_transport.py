"""kombu's Redis transport, with one Redis client object per channel instead of one per
command.

kombu (5.7) builds a new ``redis.Redis`` around the channel's connection pool for every
publish (LPUSH), for the unacked bookkeeping of every delivery and for every ack: three
per message, about 50 us of CPU each (measured here), for a worker's 2-3 ms per message
(docs/benchmarks.md#issue-15-cpu-per-saga-and-latency). A ``redis.Redis`` holds no
connection of its own (each command takes one from the pool and gives it back) and is
safe to share, so the channel keeps one, and builds it again only if its pool was
replaced (after a connection error). Everything else is kombu's: the same commands, the
same messages, so a client that sends with plain Celery and our workers understand each
other.

Only a worker uses it (messaging.service_app sets ``broker_transport`` at ``worker_init``,
for ``redis://`` and ``rediss://`` URLs): a process that only publishes, and Flower (which
names the broker by its transport), keep kombu's own.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis

NAME = "messaging.redis_transport:Transport"


class Channel(redis.Channel):
    _shared_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # kombu keeps this one already (Channel.client)
            return super()._create_client(asynchronous=True)  # type: ignore[no-untyped-call]
        client = self._shared_client
        if client is None or client.connection_pool is not self.pool:
            client = self._shared_client = super()._create_client()  # type: ignore[no-untyped-call]
        return client


class Transport(redis.Transport):
    Channel = Channel


def for_url(url: str) -> str | None:
    """This transport for a Redis URL; None (the URL's own) for any other broker."""
    return NAME if url.split("://", 1)[0] in {"redis", "rediss"} else None
