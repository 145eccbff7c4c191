from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from devtools.smtp_sink import SmtpSink
from tests.platform import (
    RunningPlatform,
    postgres_databases,
    require_redis,
    sqlite_databases,
    start,
)

REDIS_BASE = os.environ.get("SAGA_TEST_REDIS", "redis://127.0.0.1:6379")
POSTGRES_ADMIN_URL = os.environ.get(
    "SAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# A Redis database per store kind, so the two platforms never see each other's messages.
# SAGA_TEST_REDIS_DBS="3,4,5" moves them, so two test runs on one Redis never meet.
_DBS = [*os.environ.get("SAGA_TEST_REDIS_DBS", "13,14,15").split(","), "15"]
REDIS_DB = {"sqlite": int(_DBS[0]), "postgresql": int(_DBS[1]), "traced": int(_DBS[2])}


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink
) -> Iterator[RunningPlatform]:
    store: str = request.param
    broker_url = f"{REDIS_BASE}/{REDIS_DB[store]}"
    require_redis(broker_url)
    with redis.Redis.from_url(broker_url) as client:
        client.flushdb()  # none of our workers run on it yet
    directory = tmp_path_factory.mktemp(f"platform-{store}")
    extra_env = {"REACTOR_EMAIL_SMTP_PORT": str(smtp_sink.port)}
    if store == "sqlite":
        running = start(store, sqlite_databases(directory), broker_url, directory, extra_env)
        yield from _serve(running)
    else:
        prefix = f"saga_t{uuid.uuid4().hex[:8]}"
        with postgres_databases(POSTGRES_ADMIN_URL, prefix) as urls:
            running = start(store, urls, broker_url, directory, extra_env)
            yield from _serve(running)


def _serve(running: RunningPlatform) -> Iterator[RunningPlatform]:
    try:
        yield running
    finally:
        running.processes.stop()
        running.client.close()
        for engine in running.engines.values():
            engine.dispose()


@pytest.fixture
def log_dir(platform: RunningPlatform) -> Path:
    return platform.processes.log_dir
