"""sagactl ``reactors list|unsubscribe|backfill`` against a stand-in for the Celery app."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.sagactl_stand_in import Sagactl

# --- reactors list ------------------------------------------------------------------------


def _subscription(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "queue": f"reactor.{name}",
        "events": ["OrderCancelled", "OrderConfirmed"],
        "origin": "announced",
        "owner": name,
        "active": True,
        "start": "latest",
        "position": 40,
        "sent": 12,
        "acknowledged": 12,
        "behind": 0,
        "resent": 0,
        "catching_up": False,
        "last_seen_at": "2026-12-02T05:10:11.123+00:00",
        "created_at": "2026-12-01T09:00:00+00:00",
        "warnings": [],
        **fields,
    }


SUBSCRIPTIONS = [
    _subscription("crm", origin="plugin", events=["OrderConfirmed"], acknowledged=9, behind=3),
    _subscription("loyalty", events=["OrderConfirmd"], sent=0, acknowledged=0,
                  warnings=["no service publishes 'OrderConfirmd'"]),
    _subscription("old", active=False, last_seen_at=None),
]  # fmt: skip


def test_reactors_list_asks_the_dispatcher(sagactl: Sagactl) -> None:
    code, app = sagactl.answered_once(
        ["reactors", "list"], **{"events.subscriptions": SUBSCRIPTIONS}
    )
    assert code == 0
    assert [(name, options["queue"]) for name, _, options in app.sent] == [
        ("events.subscriptions", "events")
    ]
    assert sagactl.printed().out.splitlines() == [
        "NAME     FROM       EVENTS                          STATE         SENT  HELD  BEHIND"
        "  LAST SEEN",
        "crm      plugin     OrderConfirmed                  active        12    9     3     "
        "  2026-12-02 05:10:11",
        "loyalty  announced  OrderConfirmd                   active        0     0     0     "
        "  2026-12-02 05:10:11",
        "old      announced  OrderCancelled, OrderConfirmed  unsubscribed  12    12    0     "
        "  never",
        "",
        "warning: loyalty: no service publishes 'OrderConfirmd'",
    ]


def test_reactors_list_json_is_what_the_dispatcher_said(sagactl: Sagactl) -> None:
    code, _ = sagactl.answered_once(
        ["reactors", "list", "--json"], **{"events.subscriptions": SUBSCRIPTIONS}
    )
    assert code == 0
    assert json.loads(sagactl.printed().out) == SUBSCRIPTIONS


def test_no_subscriptions_yet(sagactl: Sagactl) -> None:
    assert sagactl.answered_once(["reactors", "list"], **{"events.subscriptions": []})[0] == 0
    assert sagactl.printed().out == (
        "no reactor has subscribed yet (a reactor subscribes when its worker starts)\n"
    )


# --- reactors unsubscribe -----------------------------------------------------------------


def test_unsubscribe_by_queue_name(sagactl: Sagactl) -> None:
    code, app = sagactl.answered_once(
        ["reactors", "unsubscribe", "reactor.old"],
        **{"events.unsubscribe": _subscription("old", active=False)},
    )
    assert code == 0
    name, kwargs, options = app.sent[0]
    assert (name, kwargs, options["queue"], options["expires"]) == (
        "events.unsubscribe",
        {"name": "old"},
        "events",
        None,
    )
    assert sagactl.printed().out.startswith("reactor.old unsubscribed: it gets no more copies.")


# --- reactors backfill --------------------------------------------------------------------


@pytest.mark.parametrize(
    "since", ["2026-11-22", "2026-11-22T03:00:00", "2026-11-22T03:00:00+01:00", "2026-11-22 03:00"]
)
def test_backfill_passes_an_iso_date_as_given(since: str, sagactl: Sagactl) -> None:
    answer = {"name": "email", "events": 12, "since": since}
    code, app = sagactl.answered_once(
        ["reactors", "backfill", "email", "--since", since],
        **{"events.backfill": answer},
    )
    assert code == 0
    name, kwargs, options = app.sent[0]
    assert (name, kwargs, options["queue"]) == (
        "events.backfill",
        {"name": "email", "since": since},
        "events",
    )
    assert options["expires"] is None
    assert sagactl.printed().out == (
        f"sending 12 past events (logged since {since}) to reactor.email, a page at a time"
        " behind live events; it skips those it already handled\n"
    )


def test_backfill_of_all_history_by_queue_name(sagactl: Sagactl) -> None:
    answer = {"name": "crm", "events": 1, "since": None}
    code, app = sagactl.answered_once(
        ["reactors", "backfill", "reactor.crm"], **{"events.backfill": answer}
    )
    assert code == 0
    assert app.sent[0][1] == {"name": "crm", "since": None}
    assert sagactl.printed().out == (
        "sending 1 past event (ever logged) to reactor.crm, a page at a time behind live"
        " events; it skips those it already handled\n"
    )
