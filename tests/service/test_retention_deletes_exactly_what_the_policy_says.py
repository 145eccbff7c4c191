"""A retention run on a real store (SQLite, PostgreSQL) seeded with a row of every kind:
it deletes the finished sagas past their period with their history, published outbox
rows, inbox rows and replayed dead letters past theirs, events every subscription is
past; and nothing else: no running, awaiting, compensating or failed saga, no recent
finished one, no unpublished row, no parked letter. The SQL agrees with the pure policy
row by row."""

from __future__ import annotations

from sqlalchemy import Engine, select

from messaging import retention
from messaging import retention_policy as policy
from messaging.database import as_utc
from messaging.tables import dead_letters, inbox, outbox
from orchestrator import retention as orchestrator_retention
from orchestrator.event_tables import event_log
from orchestrator.saga_store.tables import saga_history, sagas
from tests.service.retention_stores import (
    HISTORY_PER_SAGA,
    NEW,
    NOW,
    OLD,
    add_dead_letter,
    add_events,
    add_inbox,
    add_outbox,
    every_saga,
    keys,
    settings,
    subscribe,
)


def test_finished_sagas_past_their_period_go_with_their_history(
    orchestrator_store: Engine,
) -> None:
    made = every_saga(orchestrator_store)
    kept = settings()
    cutoff = kept.sagas.cutoff(NOW)
    with orchestrator_store.connect() as conn:
        rows = conn.execute(select(sagas.c.saga_id, sagas.c.status, sagas.c.updated_at)).all()
    expected_gone = {
        r.saga_id for r in rows if policy.saga(r.status, as_utc(r.updated_at) or NOW, cutoff)
    }

    done = orchestrator_retention.run(orchestrator_store, kept)

    left = keys(orchestrator_store, sagas.c.saga_id)
    assert sorted(made[s] for s in set(made) - left) == ["compensated old", "completed old"]
    assert set(made) - left == expected_gone
    assert done.deleted["sagas"] == 2
    # every saga that stays keeps its whole history; the ones gone leave none behind
    with orchestrator_store.connect() as conn:
        history = conn.execute(select(saga_history.c.saga_id)).scalars().all()
    assert set(history) == left
    assert len(history) == HISTORY_PER_SAGA * len(left)


def test_published_outbox_rows_inbox_rows_and_replayed_letters_past_their_period_go(
    orchestrator_store: Engine,
) -> None:
    engine = orchestrator_store
    outbox_rows = {
        add_outbox(engine, OLD, OLD): "published old",
        add_outbox(engine, OLD, None): "unpublished old",
        add_outbox(engine, NEW, NEW): "published new",
        add_outbox(engine, NEW, None): "unpublished new",
    }
    inbox_rows = {add_inbox(engine, OLD): "old", add_inbox(engine, NEW): "new"}
    letters = {
        add_dead_letter(engine, OLD, "parked", None): "parked old",
        add_dead_letter(engine, OLD, "replayed", OLD): "replayed long ago",
        add_dead_letter(engine, OLD, "replayed", NEW): "parked long ago, replayed now",
        add_dead_letter(engine, OLD, "replayed", None): "replayed before handled_at",
    }

    done = retention.run(engine, retention.shared_targets(settings()), settings())

    assert {outbox_rows[i] for i in set(outbox_rows) - keys(engine, outbox.c.id)} == {
        "published old"
    }
    assert {inbox_rows[i] for i in set(inbox_rows) - keys(engine, inbox.c.message_id)} == {"old"}
    assert {letters[i] for i in set(letters) - keys(engine, dead_letters.c.id)} == {
        "replayed long ago"
    }
    assert done.deleted == {"outbox": 1, "inbox": 1, "dead_letters": 1}
    assert not done.cut_short


def test_events_go_once_every_active_subscription_is_past_them(
    orchestrator_store: Engine,
) -> None:
    engine = orchestrator_store
    old = add_events(engine, OLD, 6)
    new = add_events(engine, NEW, 2)
    subscribe(engine, "email", position=new[-1])  # sent everything
    subscribe(engine, "crm", position=old[3])  # behind: old[4:] not yet sent
    subscribe(engine, "gone", position=0, active=False)  # unsubscribed: holds nothing

    orchestrator_retention.run(engine, settings())

    assert keys(engine, event_log.c.id) == set(old[4:]) | set(new)


def test_keep_forever_deletes_nothing(orchestrator_store: Engine) -> None:
    engine = orchestrator_store
    made = every_saga(engine)
    add_outbox(engine, OLD, OLD)
    add_inbox(engine, OLD)
    add_events(engine, OLD, 2)
    env = {
        name: "keep"
        for name in (
            "SAGA_RETENTION_OUTBOX_HOURS",
            "SAGA_RETENTION_INBOX_DAYS",
            "SAGA_RETENTION_SAGAS_DAYS",
            "SAGA_RETENTION_EVENT_LOG_DAYS",
            "SAGA_RETENTION_DEAD_LETTERS_DAYS",
        )
    }
    forever = settings(**env)

    shared = retention.run(engine, retention.shared_targets(forever), forever)
    own = orchestrator_retention.run(engine, forever)

    assert not any(shared.deleted.values()) and not any(own.deleted.values())
    assert keys(engine, sagas.c.saga_id) == set(made)
