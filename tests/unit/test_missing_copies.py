"""What a reactor asks for again: exactly the numbers it lacks, a bounded page at a time;
and what an announcement must say to be taken."""

from __future__ import annotations

import pytest

from messaging.subscriptions import missing_ranges, parse_start, validate_announcement


@pytest.mark.parametrize(
    ("held", "after", "head", "expected"),
    [
        ([], 0, 0, []),
        ([1, 2, 3], 0, 3, []),  # lost nothing: asks for nothing
        ([], 0, 3, [[1, 3]]),
        ([1, 3], 0, 3, [[2, 2]]),
        ([2, 3, 7], 0, 8, [[1, 1], [4, 6], [8, 8]]),
        ([5, 6], 4, 6, []),  # up to `after` is settled
        ([9, 12], 4, 10, [[5, 8], [10, 10]]),  # held above the head changes nothing
        ([1, 2], 0, 2, []),
    ],
)
def test_missing_ranges(held, after, head, expected):
    assert missing_ranges(held, after, head, limit=1000) == expected


def test_missing_ranges_is_a_bounded_page():
    assert missing_ranges([], 0, 10_000, limit=500) == [[1, 500]]
    assert missing_ranges([3, 8], 0, 100, limit=6) == [[1, 2], [4, 7]]


def test_a_valid_announcement_is_normalised():
    valid = validate_announcement(
        {"name": "loyalty", "events": ["OrderConfirmed", "OrderCancelled", "OrderConfirmed"],
         "start": "2026-11-01", "owner": "loyalty"}
    )  # fmt: skip
    assert valid.events == ["OrderCancelled", "OrderConfirmed"]
    assert valid.start == "2026-11-01"


@pytest.mark.parametrize(
    ("announcement", "message"),
    [
        ({"name": "Loyalty", "events": ["OrderConfirmed"]}, "name: Value error, reactor name"),
        ({"name": "loyalty", "events": []}, "events: List should have at least 1 item"),
        ({"name": "loyalty"}, "events: Field required"),
        (
            {"name": "loyalty", "events": ["OrderConfirmed"], "start": "yesterday"},
            "start: Value error, unknown start position 'yesterday': expected 'latest',"
            " 'earliest' or an ISO date",
        ),
        ({"name": "loyalty", "events": ["order confirmed"]}, "not event type names"),
        ({"name": "loyalty", "events": ["OrderConfirmed"], "color": "red"}, "color: Extra"),
    ],
)
def test_a_bad_announcement_says_what_is_wrong(announcement, message):
    with pytest.raises(ValueError, match=r"^announcement refused: ") as refused:
        validate_announcement({"owner": "loyalty", **announcement})
    assert message in str(refused.value)


def test_start_positions():
    assert parse_start("latest") is None
    assert parse_start("earliest") is None
    assert parse_start("2026-11-01T03:00:00+01:00") is not None
    with pytest.raises(ValueError, match="unknown start position 'soon'"):
        parse_start("soon")
