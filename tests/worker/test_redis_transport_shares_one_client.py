"""The workers' Redis transport (messaging/redis_transport.py) keeps one Redis client per
channel, where kombu builds one per publish, per delivery's bookkeeping and per ack; it
builds it again when the channel's pool was replaced, and messages still go through and
are acknowledged. On this tier's Redis database, with kombu's own queue API."""

from __future__ import annotations

import uuid

from kombu.connection import Connection

from messaging import redis_transport
from tests.conftest import WORKER_BROKER


def test_one_client_per_channel_until_its_pool_is_replaced() -> None:
    queue = f"transport-test-{uuid.uuid4().hex[:8]}"
    with Connection(WORKER_BROKER, transport=redis_transport.NAME) as conn:  # type: ignore[no-untyped-call]
        assert isinstance(conn.transport, redis_transport.Transport)
        channel = conn.default_channel
        first = channel._create_client()
        assert channel._create_client() is first

        with conn.SimpleQueue(queue) as simple:
            simple.put({"n": 1})
            got = simple.get(timeout=5)
            assert got.payload == {"n": 1}
            got.ack()  # the unacked bookkeeping and the ack went through the shared client
            assert channel._create_client() is first

            channel._disconnect_pools()  # what kombu does after a connection error
            renewed = channel._create_client()
            assert renewed is not first
            assert renewed.connection_pool is channel.pool
            simple.put({"n": 2})
            again = simple.get(timeout=5)
            assert again.payload == {"n": 2}
            again.ack()
            assert channel._size(queue) == 0


def test_only_redis_urls_get_it() -> None:
    assert redis_transport.for_url("redis://127.0.0.1:6379/0") == redis_transport.NAME
    assert redis_transport.for_url("rediss://h:6380/0") == redis_transport.NAME
    assert redis_transport.for_url("amqp://guest:guest@127.0.0.1:5672//") is None
    assert redis_transport.for_url("sentinel://h:26379") is None
