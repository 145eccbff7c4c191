"""Fixtures every tier may use, and the tier of every test.

Tiers (``pytest -m TIER``; the Makefile has a target for each):

- ``unit``: pure, no broker, no database server, no process of the platform (tests/unit)
- ``service``: handlers and stores on real SQLite and PostgreSQL, no broker (tests/service)
- ``worker``: a real Celery worker in the test process on a real Redis, no platform
  processes (tests/worker; celery.contrib.pytest's classic fixtures, below)
- ``integration``: the whole platform, every process of the Procfile (tests/integration)
- ``e2e``: the platform killed and restarted from outside (tests/e2e)

A test gets the tier of its folder unless it is marked with one; a unit test checks that
every test has exactly one."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

# pytest-celery 1.x's plugin (loaded by its entry point) has a ``celery_worker`` of its own
# that starts a Docker container (pytest-celery#442). A fixture of the root conftest wins
# over a plugin's, so these names are the classic in-process workers of celery.contrib.pytest.
# ``celery_session_worker`` is the one the plugin re-exports: named here so both come from
# one place.
from celery.contrib.pytest import celery_session_worker, celery_worker  # noqa: F401

from devtools.scratch_databases import postgres_databases
from devtools.smtp_sink import SmtpSink
from tests.platform import (
    SERVICES,
    RunningPlatform,
    rabbitmq_vhost,
    require_redis,
    serve,
    sqlite_databases,
    start,
)

# Every process of the platform a test starts, and every app built here, brings its store
# up to date itself (messaging/schema.py), as the demo does: no saga-migrate step to forget.
os.environ.setdefault("SAGA_MIGRATE", "auto")

REDIS_BASE = os.environ.get("SAGA_TEST_REDIS", "redis://127.0.0.1:6379")
POSTGRES_ADMIN_URL = os.environ.get(
    "SAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# A Redis database per platform, so two platforms never see each other's messages (for
# the RabbitMQ platform: its results). SAGA_TEST_REDIS_DBS="3,4,5,2" moves them, so two
# test runs on one Redis never meet.
_DBS = [*os.environ.get("SAGA_TEST_REDIS_DBS", "13,14,15,12").split(","), "15", "12"]
REDIS_DB = {
    "sqlite": int(_DBS[0]),
    "postgresql": int(_DBS[1]),
    "traced": int(_DBS[2]),
    "sqlite-rabbitmq": int(_DBS[3]),
}
# The RabbitMQ platform runs in a virtual host of its own, made for the run and deleted.
RABBITMQ_URL = os.environ.get("SAGA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672")
# The worker tier's broker and result backend: a Redis database of its own, emptied before
# its first worker starts and after its last one stopped (tests/worker/conftest.py).
WORKER_BROKER = os.environ.get("SAGA_TEST_WORKER_BROKER", f"{REDIS_BASE}/6")

TIERS = ("unit", "service", "worker", "integration", "e2e")
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's tier, unless it is marked with a tier already."""
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in TIERS:
            item.add_marker(folder)


@pytest.fixture(scope="session")
def celery_config() -> dict[str, Any]:
    """The settings of the classic fixtures' Celery app (``celery_app``, and the app of
    ``celery_worker``): Redis for messages and results, JSON only."""
    return {
        "broker_url": WORKER_BROKER,
        "result_backend": WORKER_BROKER,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        # a broker that is down ends the worker tier's tests instead of hanging them
        "broker_connection_max_retries": 3,
        "broker_connection_timeout": 5,
        "redis_socket_connect_timeout": 5,
    }


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


# Every store on Redis, and the embedded store on RabbitMQ: the store and the broker are
# separate layers, so three platforms cover both of each at 3/4 of a full matrix's time.
PLATFORMS = ("sqlite", "postgresql", "sqlite-rabbitmq")


@pytest.fixture(scope="session", params=PLATFORMS)
def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink
) -> Iterator[RunningPlatform]:
    kind: str = request.param
    store, _, broker = kind.partition("-")
    results_url = f"{REDIS_BASE}/{REDIS_DB[kind]}"
    require_redis(results_url)
    with redis.Redis.from_url(results_url) as client:
        client.flushdb()  # none of our workers run on it yet
    directory = tmp_path_factory.mktemp(f"platform-{kind}")
    extra_env = {"REACTOR_EMAIL_SMTP_PORT": str(smtp_sink.port)}
    with contextlib.ExitStack() as stack:
        broker_url = (
            stack.enter_context(rabbitmq_vhost(RABBITMQ_URL))
            if broker == "rabbitmq"
            else results_url
        )
        if store == "sqlite":
            urls = sqlite_databases(directory)
        else:
            prefix = f"saga_t{uuid.uuid4().hex[:8]}"
            urls = stack.enter_context(postgres_databases(POSTGRES_ADMIN_URL, prefix, SERVICES))
        running = start(
            store,
            database_urls=urls,
            broker_url=broker_url,
            log_dir=directory,
            extra_env=extra_env,
            result_backend=results_url,
        )
        yield from serve(running)


@pytest.fixture
def log_dir(platform: RunningPlatform) -> Path:
    return platform.processes.log_dir
