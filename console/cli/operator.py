"""An operator's actions on sagas through sagactl: retry a failed saga, cancel a running
one, list those stuck past a step deadline; and the manual review of orders at or above
the review threshold: list those awaiting a decision, approve or reject one."""

from __future__ import annotations

import argparse
import os
from typing import Any

from console.cli.base import command, emit, limit, one_line
from console.cli.sagas import saga_id_argument, saga_of
from console.tables import format_review_table, format_stuck_table, review_queue
from messaging.contracts.read_models import OperatorResult, SagaSummary
from saga_client.platform import SagaPlatform

CANCEL_PENDING = "cancel requested: the saga compensates once the command in flight answers"
AWAITING_APPROVAL = "awaiting_approval"
# list_sagas answers at most this many (newest first); the queue is sorted here.
MAX_LISTED = 1000
DEFAULT_REVIEWER = "an operator"


def action_lines(before: SagaSummary, after: OperatorResult) -> list[str]:
    """A saga after an operator's action, with the state it had before if that changed."""
    was = f" (was {before.state})" if before.state != after.state else ""
    return [
        f"saga   {after.saga_id}",
        f"key    {before.definition} {before.business_key}",
        f"state  {after.state}{was}",
        f"step   {after.current_step or '-'}",
    ]


def _act(platform: SagaPlatform, args: argparse.Namespace, *more: str, **kwargs: Any) -> None:
    """Find the saga, act on it (``args.action``), print what it became and ``more``."""
    saga = saga_of(args, platform)
    given = {name: value for name, value in kwargs.items() if value is not None}
    result = platform.operate(args.action, saga.saga_id, **given)
    pending = [CANCEL_PENDING] if args.action == "cancel" and result.state == "running" else []
    print("\n".join([*action_lines(saga, result), *more, *pending]))


def run_retry(args: argparse.Namespace, platform: SagaPlatform) -> int:
    _act(platform, args)
    return 0


def run_cancel(args: argparse.Namespace, platform: SagaPlatform) -> int:
    reason = [] if args.reason is None else [f"reason {args.reason}"]
    _act(platform, args, *reason, reason=args.reason)
    return 0


def reviewer() -> str:
    """Who approves when ``--by`` is not given: $USER, else "an operator"."""
    return " ".join(os.environ.get("USER", "").split()) or DEFAULT_REVIEWER


def run_approve(args: argparse.Namespace, platform: SagaPlatform) -> int:
    by = args.by or reviewer()
    _act(platform, args, f"by     {by}", by=by)
    return 0


def run_reject(args: argparse.Namespace, platform: SagaPlatform) -> int:
    _act(platform, args, f"reason {args.reason}", reason=args.reason)
    return 0


def run_stuck(args: argparse.Namespace, platform: SagaPlatform) -> int:
    emit(args, platform.stuck_sagas(args.limit), format_stuck_table)
    return 0


def run_review(args: argparse.Namespace, platform: SagaPlatform) -> int:
    queue = review_queue(platform.list_sagas(state=AWAITING_APPROVAL, limit=MAX_LISTED))
    emit(args, queue[: args.limit], format_review_table)
    if args.json:
        return 0
    if len(queue) > args.limit:
        print(
            f"{len(queue) - args.limit} more awaiting approval, with later deadlines"
            f" (--limit {len(queue)} shows them)"
        )
    if len(queue) >= MAX_LISTED:
        print(f"only the newest {MAX_LISTED} were listed: older ones may be missing here")
    return 0


_ACTIONS = (  # name, run, summary: each acts on one saga, named by its ID
    ("retry", run_retry,
     "Resume a failed saga from the step that failed, once its cause is fixed."),
    ("cancel", run_cancel,
     "Cancel a running saga (or reject one awaiting approval): undo its committed steps."
     " A command in flight is let answer first."),
    ("approve", run_approve, "Approve an order awaiting review: the card is charged next."),
    ("reject", run_reject, "Reject an order awaiting review: what was reserved is released."),
)  # fmt: skip


def add_operator_commands(commands: Any) -> None:
    actions = {}
    for name, run, summary in _ACTIONS:
        actions[name] = command(commands, name, run, summary, writes=True)
        actions[name].set_defaults(action=name)
        saga_id_argument(actions[name])
    actions["cancel"].add_argument(
        "--reason",
        metavar="R",
        type=one_line("reason"),
        help="why, kept in the saga's history and failure (default: cancelled by an operator)",
    )
    actions["approve"].add_argument(
        "--by",
        metavar="NAME",
        type=one_line("name"),
        help="who approves, kept in the saga's history (default: $USER, else 'an operator')",
    )
    actions["reject"].add_argument(
        "--reason",
        metavar="R",
        type=one_line("reason"),
        required=True,
        help="why, kept in the saga's history and failure",
    )
    stuck = command(
        commands,
        "stuck",
        run_stuck,
        "Running or compensating sagas past a step deadline: what each waits on, since when,"
        " at which attempt.",
    )
    limit(stuck, "at most this many, oldest deadline first (default 100)")
    review = command(
        commands,
        "review",
        run_review,
        "Sagas awaiting a reviewer's decision before the charge: since when, and until when"
        " (no decision by then rejects the order).",
    )
    limit(review, "at most this many, soonest deadline first (default 100)")
