"""``0``, ``keep`` or ``forever`` keeps a table's rows forever: no cutoff, nothing
eligible. Anything else that is not a number of hours or days >= 0 is refused, naming
the variable (a process stops at start on it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from messaging import retention_policy as policy
from messaging.retention_policy import RetentionSettings

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
AGES_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("value", ["0", "keep", "KEEP", " forever "])
def test_keep_means_no_cutoff(value: str) -> None:
    env = {f"SAGA_RETENTION_{name}": value for name in ("OUTBOX_HOURS", "SAGAS_DAYS")}
    settings = RetentionSettings.from_env(env)
    assert settings.outbox.period is None
    assert settings.outbox.cutoff(NOW) is None
    assert str(settings.outbox) == "SAGA_RETENTION_OUTBOX_HOURS=keep"
    assert not policy.outbox_row(AGES_AGO, settings.outbox.cutoff(NOW))
    assert not policy.saga("completed", AGES_AGO, settings.sagas.cutoff(NOW))


@pytest.mark.parametrize("value", ["-1", "a week", "", "nan?"])
def test_a_bad_setting_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match="SAGA_RETENTION_EVENT_LOG_DAYS"):
        RetentionSettings.from_env({"SAGA_RETENTION_EVENT_LOG_DAYS": value})


def test_a_batch_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="SAGA_RETENTION_BATCH"):
        RetentionSettings.from_env({"SAGA_RETENTION_BATCH": "0"})
