"""An event past its period stays while an active subscription may still need it: not
yet looked at (``position``), carried by a copy not yet acknowledged (a resend reads it
through ``event_deliveries``), or inside a backfill in hand."""

from __future__ import annotations

from sqlalchemy import Engine

from orchestrator import retention as orchestrator_retention
from orchestrator.event_tables import event_log
from tests.service.retention_stores import OLD, add_events, deliver, keys, settings, subscribe


def test_an_unacknowledged_copy_holds_its_event(orchestrator_store: Engine) -> None:
    ids = add_events(orchestrator_store, OLD, 6)
    subscribe(orchestrator_store, "email", position=ids[-1], head=6, acknowledged=2)
    deliver(orchestrator_store, "email", 3, ids[2])  # copies 3.. not acknowledged
    deliver(orchestrator_store, "email", 4, ids[3])

    orchestrator_retention.run(orchestrator_store, settings())

    assert keys(orchestrator_store, event_log.c.id) == set(ids[2:])


def test_a_backfill_in_hand_holds_its_events(orchestrator_store: Engine) -> None:
    ids = add_events(orchestrator_store, OLD, 6)
    subscribe(
        orchestrator_store,
        "crm",
        position=ids[-1],
        backfill_from=ids[1],
        backfill_to=ids[-1],
    )

    orchestrator_retention.run(orchestrator_store, settings())

    assert keys(orchestrator_store, event_log.c.id) == set(ids[1:])


def test_with_no_subscription_age_alone_decides(orchestrator_store: Engine) -> None:
    add_events(orchestrator_store, OLD, 3)

    done = orchestrator_retention.run(orchestrator_store, settings())

    assert done.deleted["event_log"] == 3
