"""Recovery proportional to what was lost: a copy that vanished from a stopped reactor's
queue (as a message taken by a worker killed before Redis recorded it, or lost with a
broker) is found missing by the next check and sent again, alone; a reactor that lost
nothing is sent nothing again when it restarts."""

from __future__ import annotations

from typing import Any

from tests import broker_queues
from tests.platform import RunningPlatform, new_sku, order, wait_for


def audit(platform: RunningPlatform) -> dict[str, Any]:
    listed = {s["name"]: s for s in platform.call("events.subscriptions")}
    subscription: dict[str, Any] = listed["audit"]
    return subscription


def settled(platform: RunningPlatform) -> dict[str, Any]:
    """Wait until every logged event of its types was sent to the reactor (an earlier
    test's saga may have ended moments ago) and it has said it holds every copy."""
    state: dict[str, Any] = wait_for(
        lambda: audit(platform),
        lambda s: s["behind"] == 0 and s["acknowledged"] == s["sent"] and not s["catching_up"],
        timeout=60,
        interval=0.3,
    )
    return state


def test_only_the_lost_copy_is_sent_again(platform: RunningPlatform) -> None:
    before = settled(platform)
    platform.processes.stop_one("reactor-audit")
    try:
        sku = new_sku()
        platform.set_stock(sku, 5)
        placed = [order(sku=sku, quantity=1) for _ in range(3)]
        for submitted in placed:
            saga = platform.call("orchestrator.place_order", **submitted)
            assert platform.wait_for_saga(saga["saga_id"])["state"] == "completed"
        lost = placed[1]["order_id"]
        url = platform.broker_url
        wait_for(lambda: broker_queues.holding(url, "reactor.audit", lost), bool, timeout=30)
        assert broker_queues.remove(url, "reactor.audit", lost) == 1  # the copy is gone
    finally:
        platform.restart("reactor-audit")

    for submitted in placed:

        def entries(order_id: str = submitted["order_id"]) -> Any:
            return platform.call("reactor.audit.entries", order_id=order_id)

        assert len(wait_for(entries, bool, timeout=60)) == 1
    after = settled(platform)
    assert after["sent"] == before["sent"] + 3
    assert after["resent"] == before["resent"] + 1  # that one copy, nothing else

    platform.processes.stop_one("reactor-audit")  # lost nothing this time
    platform.restart("reactor-audit")
    again = settled(platform)
    assert again["resent"] == after["resent"]
    assert again["last_seen_at"] >= after["last_seen_at"]
