"""What a test may look at in a broker's queue, on Redis and on RabbitMQ alike: how many
messages wait, and taking one message out (a copy lost in transit)."""

from __future__ import annotations

import redis
from kombu import Connection  # type: ignore[attr-defined]

from messaging.service_app import is_amqp


def depth(broker_url: str, queue: str) -> int:
    """Messages waiting in ``queue`` (not those a consumer holds unacked)."""
    if not is_amqp(broker_url):
        with redis.Redis.from_url(broker_url) as broker:
            return int(broker.llen(queue))
    with Connection(broker_url, connect_timeout=5) as conn:  # type: ignore[no-untyped-call]
        channel = conn.channel()
        try:
            return int(channel.queue_declare(queue=queue, passive=True).message_count)
        finally:
            channel.close()


def holding(broker_url: str, queue: str, marker: str) -> int:
    """Messages waiting in ``queue`` whose body holds ``marker``."""
    if not is_amqp(broker_url):
        with redis.Redis.from_url(broker_url) as broker:
            return sum(marker.encode() in m for m in broker.lrange(queue, 0, -1))
    return len(_taken(broker_url, queue, marker, remove=False))


def remove(broker_url: str, queue: str, marker: str) -> int:
    """Take out of ``queue`` every waiting message whose body holds ``marker``; how many.
    RabbitMQ: every other message goes back to the same queue (a channel closed with
    messages unacked requeues them there, and nowhere else)."""
    if not is_amqp(broker_url):
        with redis.Redis.from_url(broker_url) as broker:
            copies = [m for m in broker.lrange(queue, 0, -1) if marker.encode() in m]
            return sum(int(broker.lrem(queue, 0, copy)) for copy in copies)
    return len(_taken(broker_url, queue, marker, remove=True))


def _taken(broker_url: str, queue: str, marker: str, *, remove: bool) -> list[bytes]:
    with Connection(broker_url, connect_timeout=5) as conn:  # type: ignore[no-untyped-call]
        channel = conn.channel()
        found = []
        try:
            while (message := channel.basic_get(queue, no_ack=False)) is not None:
                body = message.body if isinstance(message.body, bytes) else message.body.encode()
                if marker.encode() in body:
                    found.append(body)
                    if remove:
                        channel.basic_ack(message.delivery_tag)
        finally:
            channel.close()  # the rest is requeued
        return found
