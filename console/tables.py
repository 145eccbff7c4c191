"""Sagas in tables for operators: a listing, the sagas stuck past a step deadline, and the
sagas awaiting a reviewer's decision. Pure functions over the read models
(``SagaSummary``, ``StuckSaga``); times are UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from console.text import columns, short_ids, stamp, summary_text, utc
from messaging.contracts.read_models import SagaSummary, StuckSaga

_NAMED = ["SAGA ID", "DEFINITION", "KEY"]


def _named(saga: SagaSummary) -> list[str]:
    """The first cells of a saga's row: saga id, definition and version, business key."""
    return [saga.saga_id, saga.definition_label, saga.business_key]


def format_saga_table(sagas: Sequence[SagaSummary]) -> str:
    """Saga id, definition, business key, state, current step, last update and the
    definition's summary of each saga."""
    if not sagas:
        return "no sagas"
    rows = [[*_NAMED, "STATE", "STEP", "UPDATED (UTC)", "SUMMARY"]]
    rows += [
        [*_named(s), s.state, s.current_step or "-", stamp(s.updated_at), summary_text(s)]
        for s in sagas
    ]
    return "\n".join(columns(rows))


def format_stuck_table(sagas: Sequence[StuckSaga]) -> str:
    """The stuck sagas: saga id, definition, key, state, step, attempt, waiting since,
    step deadline and the short id of the message each one waits on."""
    if not sagas:
        return "no stuck sagas"
    header = ["STATE", "STEP", "ATTEMPT", "WAITING SINCE (UTC)", "DEADLINE (UTC)", "WAITING ON"]
    rows = [[*_NAMED, *header]]
    rows += [
        [
            *_named(s),
            s.state,
            s.current_step or "-",
            str(s.attempt),
            stamp(s.since),
            stamp(s.deadline),
            short_ids(s.waiting_on),
        ]
        for s in sagas
    ]
    return "\n".join(columns(rows, right=frozenset({5})))


def _deadline_order(saga: SagaSummary) -> tuple[bool, datetime]:
    return (saga.deadline is None, utc(saga.deadline or datetime.min))


def review_queue(sagas: Sequence[SagaSummary]) -> list[SagaSummary]:
    """Sagas awaiting approval, the soonest deadline first (none: last)."""
    return sorted(sagas, key=_deadline_order)


def format_review_table(sagas: Sequence[SagaSummary]) -> str:
    """Sagas awaiting a reviewer's decision: saga id, definition, key, waiting since (their
    last update), the deadline (after which no decision is a rejection) and the
    definition's summary."""
    if not sagas:
        return "no sagas awaiting approval"
    rows = [[*_NAMED, "WAITING SINCE (UTC)", "DEADLINE (UTC)", "SUMMARY"]]
    rows += [[*_named(s), stamp(s.updated_at), stamp(s.deadline), summary_text(s)] for s in sagas]
    return "\n".join(columns(rows))
