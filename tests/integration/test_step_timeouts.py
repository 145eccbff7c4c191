"""A participant that does not answer: the sweeper resends the same command (same
message id, so nothing happens twice); when attempts run out the saga is `failed` for an
operator, who can list it as stuck and retry it once the participant is back."""

from __future__ import annotations

from typing import Any

from tests.platform import RunningPlatform, new_sku, order, wait_for


def _history_kinds(saga: dict[str, Any]) -> list[str]:
    return [h["kind"] for h in saga["history"]]


def _start_if_stopped(platform: RunningPlatform, *names: str) -> None:
    """Start again those of ``names`` that are not running; wait until every worker answers."""
    stopped = [name for name in names if platform.processes.processes[name].poll() is not None]
    if stopped:  # start() of no names starts every process
        platform.processes.start(stopped)
    platform.processes.wait_until_ready(platform.broker_url, timeout=60)


def test_silent_participant_gets_the_same_command_again(platform: RunningPlatform) -> None:
    platform.processes.stop_one("payment")
    try:
        sku = new_sku()
        platform.set_stock(sku, 2)
        submitted = order(sku=sku, quantity=1)
        placed = platform.call("orchestrator.place_order", **submitted)
        saga = wait_for(
            lambda: platform.saga(placed["saga_id"]),
            lambda s: "command_resent" in _history_kinds(s),
            timeout=30,
        )
        resent = next(h for h in saga["history"] if h["kind"] == "command_resent")
        first = next(
            h
            for h in saga["history"]
            if h["kind"] == "command_sent" and h["step"] == "charge_payment"
        )
        assert resent["step"] == "charge_payment"
        assert resent["message_id"] == first["message_id"]  # the same command, again

        # With the sweeper stopped nothing moves the deadline on once it has passed: the
        # saga stays listed as stuck (with it running, only between a deadline and the next
        # sweep, which a listing may miss).
        platform.processes.stop_one("sweeper")
        stuck = wait_for(
            lambda: platform.call("orchestrator.stuck_sagas"),
            lambda listed: placed["saga_id"] in [s["saga_id"] for s in listed],
            timeout=15,
        )
        listed = next(s for s in stuck if s["saga_id"] == placed["saga_id"])
        assert (listed["state"], listed["current_step"]) == ("running", "charge_payment")
        assert listed["waiting_on"] == first["message_id"]
        assert listed["attempt"] >= 2

        # Payment takes the copies of the command waiting in its queue; no attempt can run
        # out meanwhile, the sweeper is still stopped.
        platform.processes.start(["payment"])
        saga = platform.wait_for_saga(placed["saga_id"], timeout=60)
    finally:
        _start_if_stopped(platform, "payment", "sweeper")

    assert saga["state"] == "completed"
    payments = platform.call("payment.get_payments", order_id=submitted["order_id"])
    assert len(payments["payments"]) == 1  # every copy of the command charged once
    assert payments["net_charged_cents"] == 1250


def test_attempts_run_out_then_an_operator_retries(platform: RunningPlatform) -> None:
    platform.processes.stop_one("shipping")
    try:
        sku = new_sku()
        platform.set_stock(sku, 2)
        submitted = order(sku=sku, quantity=2)
        placed = platform.call("orchestrator.place_order", **submitted)
        saga = platform.wait_for_saga(placed["saga_id"], timeout=60)

        assert saga["state"] == "failed"
        assert saga["error"] == "no reply from shipping to create_shipment after 3 attempts"
        assert [s["status"] for s in saga["steps"]] == [
            "succeeded",
            "succeeded",
            "succeeded",
            "timed_out",
        ]
        assert _history_kinds(saga).count("command_resent") == 2
    finally:
        platform.restart("shipping")

    retried = platform.call("orchestrator.retry_saga", saga_id=placed["saga_id"])
    assert retried["state"] == "running"
    saga = platform.wait_for_saga(placed["saga_id"], timeout=30)

    assert saga["state"] == "completed"
    assert "retried_by_operator" in _history_kinds(saga)
    shipments = platform.call("shipping.get_shipments", order_id=submitted["order_id"])
    assert len(shipments) == 1  # four copies of one command: one shipment
    assert platform.stock(sku) == {"sku": sku, "available": 0, "reserved": 2}


def test_retry_of_a_saga_that_did_not_fail_is_refused(platform: RunningPlatform) -> None:
    sku = new_sku()
    platform.set_stock(sku, 1)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=1))
    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    try:
        platform.call("orchestrator.retry_saga", saga_id=placed["saga_id"])
    except ValueError as exc:
        assert "only a failed saga can be retried; this one is completed" in str(exc)
    else:
        raise AssertionError("retry of a completed saga was accepted")
