"""On RabbitMQ a publish waits for the broker's confirm (an outbox row is marked published
only after it); on Redis the unacked messages of a dead worker come back after the
visibility timeout. The transport options follow the broker URL."""

from __future__ import annotations

import pytest

from messaging.service_app import broker_transport_options, celery_settings, is_amqp
from messaging.settings import Settings


@pytest.mark.parametrize(
    "url", ["amqp://guest:guest@127.0.0.1:5672//", "pyamqp://h/v", "amqps://h//"]
)
def test_a_rabbitmq_url_publishes_with_confirms(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAGA_BROKER_URL", url)
    settings = Settings.from_env("orchestrator")

    assert is_amqp(url)
    assert broker_transport_options(settings) == {"confirm_publish": True}
    assert celery_settings(settings)["broker_transport_options"] == {"confirm_publish": True}


def test_a_redis_url_keeps_the_visibility_timeout_and_its_restore_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAGA_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SAGA_VISIBILITY_TIMEOUT", "30")
    settings = Settings.from_env("orchestrator")

    assert not is_amqp(settings.broker_url)
    options = broker_transport_options(settings)
    assert options["visibility_timeout"] == 30
    assert "confirm_publish" not in options
