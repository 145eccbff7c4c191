"""A return whose label step gets no answer (shipping stopped) while the refund beside it
in the parallel group succeeds: the sweeper sends the same CreateReturnLabel again (same
message id), the refund is not sent again, and once shipping is back the return completes
with exactly one label and one refund."""

from __future__ import annotations

from typing import Any

from tests.integration.test_returns_saga import completed_order, start_return
from tests.integration.test_step_timeouts import _start_if_stopped
from tests.platform import RunningPlatform, wait_for


def _entries(saga: dict[str, Any], kind: str, step: str) -> list[dict[str, Any]]:
    return [h for h in saga["history"] if h["kind"] == kind and h["step"] == step]


def test_the_silent_member_is_resent_alone_and_the_return_completes(
    platform: RunningPlatform,
) -> None:
    submitted, mug, _pen = completed_order(platform)
    order_id = submitted["order_id"]
    platform.processes.stop_one("shipping")
    try:
        started = start_return(platform, order_id, {mug: 1})
        saga = wait_for(
            lambda: platform.saga(started["saga_id"]),
            lambda s: (
                bool(_entries(s, "command_resent", "create_return_label"))
                and bool(_entries(s, "reply_applied", "refund_payment"))
            ),
            timeout=30,
        )
        # hold the deadlines where they are: no attempt may run out while shipping starts
        platform.processes.stop_one("sweeper")
        saga = platform.saga(started["saga_id"])
        (first,) = _entries(saga, "command_sent", "create_return_label")
        resent = _entries(saga, "command_resent", "create_return_label")
        assert {r["message_id"] for r in resent} == {first["message_id"]}
        assert len(_entries(saga, "command_sent", "refund_payment")) == 1
        assert _entries(saga, "command_resent", "refund_payment") == []
        assert saga["state"] == "running"
        assert [f["step"] for f in saga["in_flight"]] == ["create_return_label"]

        platform.processes.start(["shipping"])
        saga = platform.wait_for_saga(started["saga_id"], timeout=60)
    finally:
        _start_if_stopped(platform, "shipping", "sweeper")

    assert saga["state"] == "completed", saga
    labels = platform.call("shipping.get_return_labels", order_id=order_id)
    assert [lb["status"] for lb in labels] == ["created"]  # every copy answered by one label
    refunds = platform.call("payment.get_refunds", order_id=order_id)
    assert [r["amount_cents"] for r in refunds] == [1250]
    assert platform.stock(mug)["available"] == 10 - 3 + 1
