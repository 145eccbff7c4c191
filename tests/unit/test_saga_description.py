"""The text description of a saga definition (orchestrator/diagram.describe): every step
with its replies, policy and compensation, and the stage and group of parallel steps."""

from __future__ import annotations

import re

from orchestrator.diagram import describe
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT
from tests.unit.diagram_reading import DISPATCH


def test_describe_lists_every_step_with_its_replies_policy_and_compensation() -> None:
    text = describe(CHECKOUT)
    lines = text.splitlines()

    assert lines[0] == "saga checkout"
    assert "  key           order_id (the same key twice is the same saga)" in lines
    steps = [line.strip() for line in lines if re.match(r"^  \d\. ", line)]
    assert steps == ["1. reserve_inventory", "2. charge_payment", "3. create_shipment"]
    charge = text.split("  2. charge_payment\n", 1)[1].split("  3. ", 1)[0].splitlines()
    assert [line.split(None, 1)[0] for line in charge][:3] == ["service", "command", "success"]
    assert "     command       ChargePayment" in charge
    assert "     failure on    PaymentDeclined" in charge
    assert "     approval      when needs_review; no decision in 24h rejects" in charge
    assert "     policy        timeout 10s, 3 attempts, backoff x2 (waits 10s, 20s, 40s)" in charge
    assert "     out of tries  fail: stop for an operator" in charge
    assert "     compensation  RefundPayment, done on PaymentRefunded" in charge
    assert (
        "       refused on  PaymentRefundFailed: sent again after 0.5s, 1s, 2s, then the saga fails"
    ) in charge
    assert "     compensation  none: never undone" in text.split("  3. create_shipment\n")[1]
    assert lines[-4:] == [
        "  completed     records OrderConfirmed",
        "  compensated   records OrderCancelled",
        "  failed        stops for an operator (sagactl retry), records nothing",
        "  events        OrderConfirmed, OrderCancelled",
    ]


def test_describe_names_the_stage_and_group_of_parallel_steps() -> None:
    text = describe(DISPATCH)
    assert "  2. pick_a (stage 2, group pick: with pick_b)" in text
    assert "  3. pick_b (stage 2, group pick: with pick_a)" in text
    assert "  4. ship\n" in text
    assert "start\n  only by code (no admission: no client can start it)\n" in text
    assert "  completed     records no event\n" in text
