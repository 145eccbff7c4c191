"""An operator's retry re-sends the failed step's command under its message id and relies
on the participant's inbox to answer with what it did. Retention deletes inbox rows
after SAGA_RETENTION_INBOX_DAYS, so a retry of a saga started before that (less an hour's
margin) is refused: the participant could run the step twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from messaging.retention_policy import RETRY_MARGIN, RetentionSettings, retry_is_safe

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_saga_younger_than_the_inbox_setting_may_be_retried() -> None:
    inbox = RetentionSettings.from_env({}).inbox  # 7 days
    assert retry_is_safe(NOW - timedelta(days=6), inbox, NOW)
    assert retry_is_safe(NOW - timedelta(days=7) + RETRY_MARGIN, inbox, NOW)


def test_a_saga_older_than_the_inbox_setting_less_the_margin_is_refused() -> None:
    inbox = RetentionSettings.from_env({}).inbox
    assert not retry_is_safe(NOW - timedelta(days=7) + RETRY_MARGIN / 2, inbox, NOW)
    assert not retry_is_safe(NOW - timedelta(days=30), inbox, NOW)


def test_an_inbox_kept_forever_never_refuses() -> None:
    inbox = RetentionSettings.from_env({"SAGA_RETENTION_INBOX_DAYS": "keep"}).inbox
    assert retry_is_safe(NOW - timedelta(days=3650), inbox, NOW)
