"""Fuzzed messages into a real participant: every one is refused and parked exactly once,
the worker never crashes, and the valid orders around them still complete."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from messaging.codec import MAX_MESSAGE_BYTES
from messaging.contracts import Envelope
from messaging.contracts.inventory import ReserveInventory, StockLine
from tests.platform import RunningPlatform, new_sku, order, wait_for

VALID = Envelope.wrap(
    ReserveInventory(order_id="ord-fuzz", items=[StockLine(sku="SKU-F", quantity=1)]),
    saga_id="s",
    correlation_id="c",
).to_json_dict()

REQUIRED = {name for name, f in Envelope.model_fields.items() if f.is_required()}
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50)
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def not_a_quantity(value: Any) -> bool:
    """Pydantic takes 2.0 or "2" for a quantity of 2: only values it refuses make junk."""
    try:
        StockLine.model_validate({"sku": "S", "quantity": value})
    except ValidationError:
        return True
    return False


@st.composite
def malformed(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["junk", "field", "type", "payload", "oversized"]))
    if kind == "junk":
        return draw(junk.filter(lambda v: not isinstance(v, dict) or "message_id" not in v))
    message = {**VALID, "message_id": f"fuzz-{draw(st.uuids())}"}
    if kind == "field":  # a wrongly typed or missing envelope field
        field = draw(st.sampled_from(sorted(VALID)))
        if field in REQUIRED and draw(st.booleans()):
            message.pop(field)
        else:
            message[field] = draw(st.lists(scalars, max_size=2))
    elif kind == "type":
        message["type"] = draw(
            st.text(min_size=1, max_size=40).filter(lambda t: t != VALID["type"])
        )
    elif kind == "payload":
        quantity = draw(junk.filter(not_a_quantity))
        message["payload"] = {"order_id": "o", "items": [{"sku": "S", "quantity": quantity}]}
    else:
        message["payload"] = {**VALID["payload"], "pad": "x" * (MAX_MESSAGE_BYTES + 1)}
    return message


def test_fuzzed_messages_are_parked_and_the_worker_carries_on(platform: RunningPlatform) -> None:
    before = platform.call("inventory.dead_letters")["parked"]
    sent: list[Any] = []

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(message=malformed())
    def send(message: Any) -> None:
        platform.send("inventory.handle_message", message=message)
        sent.append(message)

    send()
    sku = new_sku()
    platform.set_stock(sku, 1)
    placed = platform.call("orchestrator.place_order", **order(sku=sku, quantity=1))

    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    parked = wait_for(
        lambda: platform.call("inventory.dead_letters")["parked"],
        lambda n: n >= before + len(sent),
        timeout=60,
    )
    assert parked == before + len(sent)  # each one parked, exactly once
    assert platform.processes.processes["inventory"].poll() is None  # still running
