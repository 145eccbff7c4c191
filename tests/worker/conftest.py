"""The worker tier: a real Celery worker in the test process (celery.contrib.pytest's
classic ``celery_worker``, named in tests/conftest.py) consuming a real Redis, running a
service's own app. No process of the platform runs: what the worker publishes, a test reads
from the broker itself.

A test module says which app its worker runs by defining ``celery_app`` (the classic one
is a plain Celery app, which has no store, publisher or parking consumer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.platform import require_redis


@pytest.fixture(scope="session", autouse=True)
def worker_redis(celery_config: dict[str, Any]) -> Iterator[str]:
    """This tier's Redis database (``celery_config``), emptied before its first worker
    starts and after its last one stopped, never under a running worker: a flush takes
    kombu's bindings along, and messages are then dropped without a word."""
    url: str = celery_config["broker_url"]
    require_redis(url)
    with redis.Redis.from_url(url) as client:
        client.flushdb()
        yield url
        client.flushdb()


@pytest.fixture(scope="session")
def celery_worker_parameters() -> dict[str, Any]:
    """How ``celery_worker`` starts its worker. No celery.ping round trip: a service's app
    keeps no task results (``task_ignore_result``, as in every service), so the answer
    would never come. start_worker still waits until the worker's consumer is ready."""
    return {"perform_ping_check": False}
