"""The event dispatcher and the subscriptions on a real store (SQLite and PostgreSQL), with
a recording sender in place of the broker: numbering, paging, catch-up proportional to
what was lost, backfill, retirement, refusals. The platform tests run the same code with
real workers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from messaging import receipts
from messaging.database import build_engine, create_schema
from messaging.subscriptions import Announcement
from messaging.tables import metadata as platform_tables
from messaging.tables import reactor_metadata
from orchestrator import subscriptions
from orchestrator.event_dispatch import Check, Settings, dispatch_once
from orchestrator.event_tables import event_deliveries, event_log
from orchestrator.event_tables import metadata as event_tables
from orchestrator.saga_store.tables import metadata as saga_tables
from tests.stores import KINDS, throwaway_store

pytestmark = pytest.mark.service

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Recorder:
    """Stands in for the broker: what would have been published, in order."""

    def __init__(self) -> None:
        self.copies: list[tuple[str, str, int | None]] = []  # queue, event id, seq
        self.checks: list[Check] = []

    def send(
        self,
        task_name: str,
        queue: str,
        body: dict[str, Any],
        message_id: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        assert task_name == f"{queue}.handle_message"
        self.copies.append((queue, message_id, (extra or {}).get("delivery", {}).get("seq")))

    def send_check(self, check: Check) -> None:
        self.checks.append(check)

    def take(self) -> list[tuple[str, str, int | None]]:
        taken, self.copies = self.copies, []
        return taken


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with throwaway_store(
        request.param, tmp_path, platform_tables, saga_tables, event_tables
    ) as built:
        yield built


def log_events(engine: Engine, *types: str, at: datetime = T0) -> list[str]:
    ids = []
    with engine.begin() as conn:
        for event_type in types:
            event_id = str(uuid.uuid4())
            body = {"message_id": event_id, "type": event_type, "payload": {"order_id": "o"}}
            conn.execute(
                insert(event_log).values(
                    event_id=event_id, event_type=event_type, saga_id="s", body=body, created_at=at
                )
            )
            ids.append(event_id)
    return ids


def announce(
    engine: Engine, name: str, *events: str, start: str = "latest", owner: str = ""
) -> Any:
    announcement = Announcement(name=name, events=list(events), start=start, owner=owner or name)
    with engine.begin() as conn:
        return subscriptions.subscribe(conn, announcement, subscriptions.ANNOUNCED, now=T0)


def acknowledge(
    engine: Engine,
    name: str,
    contiguous: int,
    missing: list[list[int]],
    check_sent_at: datetime | None = None,
) -> None:
    with engine.begin() as conn:
        subscriptions.acknowledge(conn, name, contiguous, missing, check_sent_at=check_sent_at)


def subscription(engine: Engine, name: str) -> dict[str, Any]:
    with engine.begin() as conn:
        return {s["name"]: s for s in subscriptions.listing(conn)}[name]


SETTINGS = Settings(page=200, check_interval=30.0)


def test_latest_gets_what_comes_after_numbered_and_nothing_twice(engine: Engine) -> None:
    before = log_events(engine, "OrderConfirmed")
    announce(engine, "loyalty", "OrderConfirmed")
    after = log_events(engine, "OrderConfirmed", "OrderCancelled", "OrderConfirmed")
    sender = Recorder()

    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == [
        ("reactor.loyalty", after[0], 1),
        ("reactor.loyalty", after[2], 2),
    ]
    assert before[0] not in {c[1] for c in sender.copies}
    assert sender.checks == [Check("loyalty", "reactor.loyalty", head=2, after=0, sent_at=T0)]
    for _ in range(3):  # a reactor that lost nothing re-reads nothing
        dispatch_once(engine, sender, SETTINGS, now=T0 + timedelta(seconds=1))
    assert sender.take() == []
    assert len(sender.checks) == 1  # not again within the interval
    state = subscription(engine, "loyalty")
    assert (state["sent"], state["acknowledged"], state["behind"]) == (2, 0, 2)
    acknowledge(engine, "loyalty", 2, [])
    assert subscription(engine, "loyalty")["behind"] == 0


def test_earliest_gets_the_whole_log_a_page_at_a_time(engine: Engine) -> None:
    logged = log_events(engine, *["OrderConfirmed"] * 5)
    announce(engine, "ledger", "OrderConfirmed", start="earliest")
    sender = Recorder()
    small = Settings(page=2, check_interval=30.0)
    fulls = [dispatch_once(engine, sender, small, now=T0).full for _ in range(4)]
    assert fulls == [True, True, False, False]
    assert sender.take() == [("reactor.ledger", e, n) for n, e in enumerate(logged, start=1)]


def test_a_date_start_reads_on_from_that_date(engine: Engine) -> None:
    log_events(engine, "OrderConfirmed", at=T0 - timedelta(days=2))
    recent = log_events(engine, "OrderConfirmed", at=T0)
    announce(engine, "crm2", "OrderConfirmed", start=(T0 - timedelta(days=1)).isoformat())
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == [("reactor.crm2", recent[0], 1)]


def test_only_the_numbers_the_reactor_lacks_are_sent_again(engine: Engine) -> None:
    announce(engine, "loyalty", "OrderConfirmed")
    logged = log_events(engine, *["OrderConfirmed"] * 6)
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    sender.take()

    acknowledge(engine, "loyalty", 1, [[2, 2], [5, 6]])
    assert subscription(engine, "loyalty")["catching_up"]
    dispatch_once(engine, sender, Settings(page=2, check_interval=30.0), now=T0)
    dispatch_once(engine, sender, Settings(page=2, check_interval=30.0), now=T0)
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == [
        ("reactor.loyalty", logged[1], 2),
        ("reactor.loyalty", logged[4], 5),
        ("reactor.loyalty", logged[5], 6),
    ]
    state = subscription(engine, "loyalty")
    assert (state["resent"], state["catching_up"], state["acknowledged"]) == (3, False, 1)


def test_an_answer_replaces_the_catch_up_in_hand(engine: Engine) -> None:
    announce(engine, "loyalty", "OrderConfirmed")
    log_events(engine, *["OrderConfirmed"] * 4)
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    acknowledge(engine, "loyalty", 0, [[1, 4]])
    acknowledge(engine, "loyalty", 3, [[4, 4], [7, 9]])  # beyond head: clipped
    sender.take()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert [seq for _, _, seq in sender.take()] == [4]


def test_an_answer_to_a_check_older_than_a_resend_asks_for_nothing(engine: Engine) -> None:
    """Two checks in flight both find number 2 missing; the copy sent again after the
    first answer must not be sent a third time because of the second."""
    announce(engine, "loyalty", "OrderConfirmed")
    log_events(engine, *["OrderConfirmed"] * 3)
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    acknowledge(engine, "loyalty", 1, [[2, 2]], check_sent_at=T0)
    dispatch_once(engine, sender, SETTINGS, now=T0 + timedelta(seconds=1))  # sends 2 again
    acknowledge(engine, "loyalty", 1, [[2, 2]], check_sent_at=T0 + timedelta(milliseconds=1))
    dispatch_once(engine, sender, SETTINGS, now=T0 + timedelta(seconds=2))
    assert [seq for _, _, seq in sender.take()] == [1, 2, 3, 2]
    assert subscription(engine, "loyalty")["resent"] == 1
    acknowledge(engine, "loyalty", 3, [], check_sent_at=T0 + timedelta(seconds=40))
    assert subscription(engine, "loyalty")["behind"] == 0
    with engine.begin() as conn:  # held copies are never asked for again: forgotten
        assert conn.execute(select(func.count()).select_from(event_deliveries)).scalar() == 0


def test_backfill_resends_past_events_with_their_numbers_when_known(engine: Engine) -> None:
    older = log_events(engine, "OrderConfirmed", at=T0 - timedelta(days=3))
    announce(engine, "audit2", "OrderConfirmed")
    live = log_events(engine, "OrderConfirmed")
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    sender.take()
    with engine.begin() as conn:
        assert subscriptions.request_backfill(conn, "audit2", None) == {
            "name": "audit2",
            "events": 2,
        }
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == [("reactor.audit2", older[0], None), ("reactor.audit2", live[0], 1)]
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == []


def test_unsubscribed_gets_nothing_and_numbering_goes_on(engine: Engine) -> None:
    announce(engine, "old", "OrderConfirmed")
    log_events(engine, "OrderConfirmed", "OrderConfirmed")
    sender = Recorder()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    with engine.begin() as conn:
        assert subscriptions.unsubscribe(conn, "old")["active"] is False
    log_events(engine, "OrderConfirmed")
    sender.take()
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == []
    assert subscription(engine, "old")["behind"] == 0

    again = announce(engine, "old", "OrderConfirmed", owner="someone_else")  # a retired name
    assert (again["active"], again["sent"], again["acknowledged"]) == (True, 2, 2)
    latest = log_events(engine, "OrderConfirmed")
    dispatch_once(engine, sender, SETTINGS, now=T0)
    assert sender.take() == [("reactor.old", latest[0], 3)]


def test_a_name_held_by_another_reactor_is_refused(engine: Engine) -> None:
    announce(engine, "email", "OrderConfirmed", owner="reactors")
    with pytest.raises(subscriptions.SubscriptionRefused, match="held by another reactor"):
        announce(engine, "email", "OrderConfirmed", owner="impostor")
    assert announce(engine, "email", "OrderCancelled", owner="reactors")["events"] == [
        "OrderCancelled"
    ]


def test_an_event_type_nobody_publishes_is_taken_with_a_warning(engine: Engine) -> None:
    answer = announce(engine, "shipping_watch", "OrderShipped", "OrderConfirmed")
    assert answer["warnings"] == ["no service publishes 'OrderShipped'"]
    assert subscription(engine, "shipping_watch")["warnings"] == answer["warnings"]


def test_plugins_never_undo_a_retirement(engine: Engine) -> None:
    announce(engine, "crm", "OrderConfirmed")
    with engine.begin() as conn:
        subscriptions.unsubscribe(conn, "crm")
        plugin = Announcement(name="crm", events=["OrderConfirmed"], owner="crm")
        assert subscriptions.subscribe(conn, plugin, subscriptions.PLUGIN)["active"] is False


def test_a_silent_reactor_is_checked_ten_times_less_often(engine: Engine) -> None:
    announce(engine, "quiet", "OrderConfirmed")
    log_events(engine, "OrderConfirmed")
    sender = Recorder()
    for seconds in (0, 31, 299, 301):
        dispatch_once(engine, sender, SETTINGS, now=T0 + timedelta(seconds=seconds))
    assert len(sender.checks) == 2  # at 0 and at 301: nobody answered the first
    acknowledge(engine, "quiet", 0, [])  # it answers (late)
    log_events(engine, "OrderConfirmed")
    dispatch_once(engine, sender, SETTINGS, now=T0 + timedelta(seconds=400))
    assert len(sender.checks) == 3


def test_reactor_receipts_find_exactly_the_gaps(tmp_path: Path) -> None:
    store = build_engine(f"sqlite:///{tmp_path / 'reactor.db'}")
    create_schema(store, platform_tables, reactor_metadata)
    with store.begin() as conn:
        for seq in (1, 2, 4, 4, 7):
            receipts.record(conn, {"seq": seq}, f"e{seq}")
        receipts.record(conn, {"seq": None}, "backfilled")  # outside the numbering
        found = receipts.check(conn, head=8)
    assert (found.contiguous, found.missing) == (2, [[3, 3], [5, 6], [8, 8]])
    with store.begin() as conn:
        receipts.record(conn, {"seq": 3}, "e3")
        found = receipts.check(conn, head=4)
    assert (found.contiguous, found.missing) == (4, [])
    with store.begin() as conn:  # numbers up to `after` are settled elsewhere
        found = receipts.check(conn, head=9, after=8)
    assert (found.contiguous, found.missing) == (8, [[9, 9]])
    store.dispose()
