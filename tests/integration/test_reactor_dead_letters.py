"""A poison event: retried with backoff on its reactor's own queue, then parked in that
reactor's dead letters; the saga and the other reactors never wait for it. After the fix
it replays, once."""

from __future__ import annotations

import time
import uuid
from typing import Any

from devtools.smtp_sink import SmtpSink
from tests.integration.test_reactor_effects import wait_for_every_reactor
from tests.platform import RunningPlatform, new_sku, order, wait_for


def _parked_for(platform: RunningPlatform, order_id: str) -> list[dict[str, Any]]:
    letters = platform.call("reactor.audit.dead_letters", limit=1000)["dead_letters"]
    return [letter for letter in letters if order_id in letter["body"]]


def test_poison_event_is_parked_then_replayed_after_the_fix(
    platform: RunningPlatform, smtp_sink: SmtpSink
) -> None:
    order_id = f"audit-poison-{uuid.uuid4().hex[:8]}"
    sku = new_sku()
    platform.set_stock(sku, 2)
    started = time.monotonic()
    placed = platform.call("orchestrator.place_order", **order(sku=sku, order_id=order_id))

    assert platform.wait_for_saga(placed["saga_id"])["state"] == "completed"
    wait_for(lambda: smtp_sink.messages_for(order_id), bool, timeout=20)
    others_done = time.monotonic() - started
    parked = wait_for(lambda: _parked_for(platform, order_id), bool, timeout=60)

    assert len(parked) == 1
    assert "gave up after 3 attempts" in parked[0]["reason"]
    assert "audit cannot handle" in parked[0]["reason"]
    assert platform.call("reactor.audit.entries", order_id=order_id) == []
    assert others_done < 20
    # The audit reactor's retries went to its own queue only: one email, one fact.
    assert len(smtp_sink.messages_for(order_id)) == 1
    facts = platform.call("reactor.analytics.order_facts", order_id=order_id)
    assert len(facts) == 1

    (platform.processes.log_dir / "audit-fixed").touch()  # the operator's fix
    replay = platform.call("reactor.audit.replay_dead_letters", ids=[parked[0]["id"]])
    assert replay["replayed"] == [parked[0]["id"]]

    entries = wait_for(
        lambda: platform.call("reactor.audit.entries", order_id=order_id), bool, timeout=30
    )
    assert len(entries) == 1
    assert _parked_for(platform, order_id) == []  # no longer parked
    again = platform.call("reactor.audit.replay_dead_letters", ids=[parked[0]["id"]])
    assert again["replayed"] == []
    wait_for_every_reactor(platform, platform.event_of(order_id, "OrderConfirmed"))
