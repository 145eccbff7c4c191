"""The fraud verdict is a rule on the score: rejected at or above the threshold (80 unless
``FRAUD_REJECT_SCORE`` says otherwise), accepted below it, with the reasons that fired;
a scorer's score outside 0 to 100 is a bug, not a verdict."""

from __future__ import annotations

import pytest

from participants.fraud.rules import (
    ACCEPTED,
    DEFAULT_REJECT_SCORE,
    REJECTED,
    Assessment,
    Order,
    Verdict,
    parse_threshold,
    screen,
)

ORDER = Order("ord-1", "cust-1", 1000, "EUR", "GB", "tok_visa")


class FixedScorer:
    def __init__(self, score: int, *reasons: str) -> None:
        self.assessment = Assessment(score, reasons)
        self.asked: list[Order] = []

    def score(self, order: Order) -> Assessment:
        self.asked.append(order)
        return self.assessment


def test_the_default_threshold_is_80():
    assert DEFAULT_REJECT_SCORE == 80


@pytest.mark.parametrize(
    ("score", "outcome"), [(0, ACCEPTED), (79, ACCEPTED), (80, REJECTED), (100, REJECTED)]
)
def test_rejected_at_or_above_the_threshold(score, outcome):
    verdict = screen(FixedScorer(score), ORDER)

    assert verdict.outcome == outcome
    assert verdict.rejected is (outcome == REJECTED)


def test_another_threshold_moves_the_line():
    assert screen(FixedScorer(50), ORDER, threshold=50).rejected
    assert not screen(FixedScorer(89), ORDER, threshold=90).rejected


def test_the_scorer_is_asked_about_the_order_and_its_reasons_are_kept():
    scorer = FixedScorer(90, "amount of 5,000.00 or more (+40)", "high-risk destination XF (+50)")

    verdict = screen(scorer, ORDER)

    assert scorer.asked == [ORDER]
    assert verdict == Verdict(
        90, 80, ("amount of 5,000.00 or more (+40)", "high-risk destination XF (+50)")
    )
    assert verdict.explanation == (
        "score 90 at or above 80: amount of 5,000.00 or more (+40); high-risk destination XF (+50)"
    )


def test_a_verdict_with_no_reason_says_so():
    assert Verdict(85, 80, ()).explanation == "score 85 at or above 80: no rule fired"


@pytest.mark.parametrize("score", [-1, 101])
def test_a_score_outside_0_to_100_is_refused_as_a_bug(score):
    with pytest.raises(ValueError, match=f"the scorer gave ord-1 a score of {score}"):
        screen(FixedScorer(score), ORDER)


@pytest.mark.parametrize(("value", "threshold"), [("80", 80), (" 1 ", 1), ("100", 100)])
def test_the_threshold_setting_is_a_whole_number_from_1_to_100(value, threshold):
    assert parse_threshold(value) == threshold


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("eighty", "FRAUD_REJECT_SCORE='eighty': expected a whole number"),
        ("", "FRAUD_REJECT_SCORE='': expected a whole number"),
        ("0", "FRAUD_REJECT_SCORE='0': expected 1 to 100"),
        ("101", "FRAUD_REJECT_SCORE='101': expected 1 to 100"),
    ],
)
def test_a_bad_threshold_setting_is_refused_naming_it(value, says):
    with pytest.raises(ValueError) as refused:
        parse_threshold(value)

    assert str(refused.value) == says
