"""sagactl's usage errors, every command's in one table: exit 2, the message on stderr,
nothing sent to the platform."""

from __future__ import annotations

import pytest

from console import cli
from tests.unit.sagactl_stand_in import FakeApp

ITEM = "argument --item: item"
SHAPE = "is not SKU:QTY:UNIT_PRICE_CENTS"
QTY = "is not a positive integer"
PRICE = "is not a whole number of cents"
REASON = "the reason must not be blank"
ISO = "is not an ISO date or date-time (e.g. 2026-11-22 or 2026-11-22T03:00:00Z)"
MISSING = "--customer-id, --email, --name, --token, --line1, --city, --postal-code, --country"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # submit: --item is SKU:QTY:UNIT_PRICE_CENTS; a FILE or the order flags
        (["submit", "--item", "SKU-1"], f"{ITEM} 'SKU-1' {SHAPE} (e.g. SKU-1:2:1999)"),
        (["submit", "--item", "SKU-1:2"], f"{ITEM} 'SKU-1:2' {SHAPE}"),
        (["submit", "--item", ":2:100"], f"{ITEM} ':2:100' {SHAPE}"),
        (["submit", "--item", "A:two:1"], f"{ITEM} 'A:two:1': quantity 'two' {QTY}"),
        (["submit", "--item", "A:0:1"], f"{ITEM} 'A:0:1': quantity '0' {QTY}"),
        (["submit", "--item", "A:-1:1"], f"{ITEM} 'A:-1:1': quantity '-1' {QTY}"),
        (["submit", "--item", "A:1:19.99"], f"{ITEM} 'A:1:19.99': unit price '19.99' {PRICE}"),
        (["submit", "--item", "A:1:"], f"{ITEM} 'A:1:': unit price '' {PRICE}"),
        (["submit", "o.json", "--token", "t"], "FILE or the order flags, not both (got --token)"),
        (["submit", "--order-id", "o", "--item", "A:1:1"], f"the order flags; missing: {MISSING}"),
        # start
        (["start", "returns"], "the following arguments are required: --input"),
        # retry, cancel, stuck
        (["retry"], "the following arguments are required: ID"),
        (["retry", "ord-1", "--json"], "unrecognized arguments: --json"),
        (["cancel"], "the following arguments are required: ID"),
        (["cancel", "ord-1", "--reason", "  "], f"argument --reason: {REASON}"),
        (["stuck", "--limit", "0"], "argument --limit: '0' is not an integer >= 1"),
        # review, approve, reject
        (["review", "--limit", "0"], "argument --limit: '0' is not an integer >= 1"),
        (["approve"], "the following arguments are required: ID"),
        (["approve", "ord-1", "--by", " "], "argument --by: the name must not be blank"),
        (["approve", "ord-1", "--json"], "unrecognized arguments: --json"),
        (["reject", "ord-1"], "the following arguments are required: --reason"),
        (["reject", "ord-1", "--reason", " \t"], f"argument --reason: {REASON}"),
        (["reject", "--reason", "fraud"], "the following arguments are required: ID"),
        # dlq (a service unknown to the platform: test_sagactl_dead_letters.py)
        (["dlq", "replay", "--service", "payment"], "the ids of the letters to replay, or --all"),
        (["dlq", "replay", "1", "--all", "--service", "payment"], "replay or --all, not both"),
        (["dlq", "replay", "--all"], "the following arguments are required: --service"),
        (["dlq", "replay", "x", "--service", "payment"], "argument ID: 'x' is not an integer >= 1"),
        # reactors backfill --since takes an ISO date or date-time
        (["reactors", "backfill", "email", "--since", "yesterday"], f"'yesterday' {ISO}"),
        (["reactors", "backfill", "email", "--since", "2026-13-01"], f"'2026-13-01' {ISO}"),
        (["reactors", "backfill", "email", "--since", "22/11/2026"], f"'22/11/2026' {ISO}"),
        (["reactors", "backfill", "email", "--since", ""], f"argument --since: '' {ISO}"),
    ],
)  # fmt: skip
def test_a_usage_error_exits_2_with_its_message_and_sends_nothing(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = FakeApp({})
    monkeypatch.setattr(cli, "build_app", lambda broker, backend: app)

    with pytest.raises(SystemExit) as exited:
        cli.main(argv)

    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert app.sent == []
