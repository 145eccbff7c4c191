"""A row exactly as old as its setting stays; one a moment older goes. The cutoff is
``now - period``, in the setting's unit (hours for the outbox, days for the rest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from messaging import retention_policy as policy
from messaging.retention_policy import RetentionSettings

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def test_the_defaults_are_the_documented_ones() -> None:
    settings = RetentionSettings.from_env({})
    assert settings.outbox.period == timedelta(hours=24)
    assert settings.inbox.period == timedelta(days=7)
    assert settings.sagas.period == timedelta(days=30)
    assert settings.event_log.period == timedelta(days=30)
    assert settings.dead_letters.period == timedelta(days=30)
    assert settings.batch == 500
    assert settings.export_dir is None


def test_a_row_at_the_cutoff_stays_and_one_older_goes() -> None:
    settings = RetentionSettings.from_env({"SAGA_RETENTION_OUTBOX_HOURS": "6"})
    cutoff = settings.outbox.cutoff(NOW)
    assert cutoff == NOW - timedelta(hours=6)
    assert not policy.outbox_row(cutoff, cutoff)
    assert policy.outbox_row(cutoff - TICK, cutoff)
    assert not policy.inbox_row(cutoff, cutoff)
    assert policy.inbox_row(cutoff - TICK, cutoff)
    assert not policy.saga("completed", cutoff, cutoff)
    assert policy.saga("completed", cutoff - TICK, cutoff)
    assert not policy.event(1, cutoff, cutoff, None)
    assert not policy.dead_letter("replayed", cutoff, cutoff)


def test_fractions_of_the_unit_are_allowed() -> None:
    settings = RetentionSettings.from_env({"SAGA_RETENTION_INBOX_DAYS": "1.5"})
    assert settings.inbox.cutoff(NOW) == NOW - timedelta(hours=36)
    assert str(settings.inbox) == "SAGA_RETENTION_INBOX_DAYS (36 h)"
    assert str(RetentionSettings.from_env({}).sagas) == "SAGA_RETENTION_SAGAS_DAYS (30 days)"
