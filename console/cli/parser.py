"""The argument parser of sagactl: global options, commands, their arguments."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kombu.utils.url import maybe_sanitize_url

from console.cli.commands import (
    Command,
    run_approve,
    run_cancel,
    run_history,
    run_list,
    run_payments,
    run_reject,
    run_retry,
    run_review,
    run_shipments,
    run_status,
    run_stock_get,
    run_stock_set,
    run_stuck,
    run_submit,
)
from console.cli.definitions import run_definitions, run_describe, run_start
from console.cli.dlq import CORE_SERVICES, run_dlq_list, run_dlq_replay, run_dlq_show
from console.cli.orders import parse_item
from console.cli.reactor_commands import (
    run_reactors_backfill,
    run_reactors_list,
    run_reactors_unsubscribe,
)
from messaging.contracts.saga_status import SagaStatus
from messaging.settings import DEFAULT_BROKER_URL

DEFAULT_TIMEOUT = 15.0


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= {low}")
        return int(text)

    return parse


def _reason(text: str) -> str:
    """A cancel or rejection reason: some text, on one line."""
    reason = " ".join(text.split())
    if not reason:
        raise argparse.ArgumentTypeError("the reason must not be blank")
    return reason


def _reviewer(text: str) -> str:
    """Who approves: a name, on one line."""
    name = " ".join(text.split())
    if not name:
        raise argparse.ArgumentTypeError("the name must not be blank")
    return name


def iso_date(text: str) -> str:
    """An ISO date or date-time, passed on as given (naive ones are UTC to the worker)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or date-time (e.g. 2026-11-22 or 2026-11-22T03:00:00Z)"
        ) from None
    return text


_ID_HELP = "saga id, or business key (an order id for a checkout): the latest saga with that key"


def _saga_id(parser: argparse.ArgumentParser) -> None:
    """ID, and ``--definition`` to say whose key it is."""
    parser.add_argument("id", metavar="ID", help=_ID_HELP)
    parser.add_argument(
        "--definition",
        metavar="NAME",
        help="the key is one of this definition's (default: any definition, the latest saga)",
    )


def _group(commands: Any, name: str, summary: str) -> Any:
    """A command with commands of its own, e.g. ``stock get``."""
    parser = commands.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(title="commands", metavar="COMMAND", required=True)


def _command(
    commands: Any,
    name: str,
    run: Command,
    summary: str,
    *,
    json_output: bool = True,
    aliases: tuple[str, ...] = (),
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=summary, aliases=list(aliases)
    )
    parser.set_defaults(run=run, parser=parser)
    if json_output:
        parser.add_argument("--json", action="store_true", help="print the raw JSON result")
    return parser


def _add_submit(commands: Any) -> None:
    submit = _command(
        commands,
        "submit",
        run_submit,
        "Place an order (start a checkout saga), from a JSON file or from flags.",
        json_output=False,
    )
    submit.epilog = (
        "Example: sagactl submit --order-id ord-1 --customer-id c-1 --email ada@example.com"
        " --name 'Ada Lovelace' --item SKU-1:2:1999 --token tok_visa --line1 '1 rue X'"
        " --city Paris --postal-code 75001 --country FR --wait"
    )
    submit.add_argument(
        "file", nargs="?", metavar="FILE", help="JSON object of the order ('-' for stdin)"
    )
    submit.add_argument(
        "--wait", action="store_true", help="follow the saga to its end, then print its timeline"
    )
    flags = submit.add_argument_group("order flags (instead of FILE)")
    flags.add_argument("--order-id", help="the idempotency key: same order id, same saga")
    flags.add_argument("--customer-id")
    flags.add_argument("--email")
    flags.add_argument("--name", help="customer name (and shipping name by default)")
    flags.add_argument(
        "--item",
        dest="items",
        action="append",
        type=parse_item,
        metavar="SKU:QTY:UNIT_PRICE_CENTS",
        help="an order line, repeatable",
    )
    flags.add_argument("--currency", help="ISO 4217 code (default EUR)")
    flags.add_argument("--token", help="payment token, e.g. tok_visa or tok_declined")
    flags.add_argument("--address-name", help="name on the parcel (default: --name)")
    flags.add_argument("--line1")
    flags.add_argument("--city")
    flags.add_argument("--postal-code")
    flags.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. FR")


def _add_definitions(commands: Any) -> None:
    start = _command(
        commands,
        "start",
        run_start,
        "Start a saga of any definition with its input (orchestrator.start_saga).",
        json_output=False,
    )
    start.epilog = (
        'Example: sagactl start returns --input \'{"return_id": "ret-1", "order_id":'
        ' "ord-1", "lines": [{"sku": "SKU-1", "quantity": 1}], "reason":'
        ' "too small"}\' --wait'
    )
    start.add_argument("definition", metavar="DEFINITION", help="e.g. checkout (see: definitions)")
    start.add_argument(
        "--input",
        required=True,
        metavar="JSON|@FILE",
        help="the input as a JSON object, or @FILE to read it from a file (@- for stdin)",
    )
    start.add_argument(
        "--wait", action="store_true", help="follow the saga to its end, then print its timeline"
    )
    _command(
        commands,
        "definitions",
        run_definitions,
        "The saga definitions the orchestrator runs: key, steps, events.",
    )
    describe = _command(
        commands,
        "describe",
        run_describe,
        "One saga definition: its steps, services, replies, policies, compensations and"
        " events, and its diagram (Mermaid).",
    )
    describe.add_argument("name", metavar="DEFINITION")
    describe.add_argument(
        "--mermaid", action="store_true", help="print only the diagram's Mermaid source"
    )


_SERVICE_HELP = f"{', '.join(CORE_SERVICES)}, or reactor.NAME (or just NAME) of a reactor"


def _add_operator_actions(commands: Any) -> None:
    retry = _command(
        commands,
        "retry",
        run_retry,
        "Resume a failed saga from the step that failed, once its cause is fixed.",
        json_output=False,
    )
    _saga_id(retry)
    cancel = _command(
        commands,
        "cancel",
        run_cancel,
        "Cancel a running saga (or reject one awaiting approval): undo its committed steps."
        " A command in flight is let answer first.",
        json_output=False,
    )
    _saga_id(cancel)
    cancel.add_argument(
        "--reason",
        metavar="R",
        type=_reason,
        help="why, kept in the saga's history and failure (default: cancelled by an operator)",
    )
    stuck = _command(
        commands,
        "stuck",
        run_stuck,
        "Running or compensating sagas past a step deadline: what each waits on, since when,"
        " at which attempt.",
    )
    stuck.add_argument(
        "--limit",
        type=_int_at_least(1),
        default=100,
        metavar="N",
        help="at most this many, oldest deadline first (default 100)",
    )


def _add_review(commands: Any) -> None:
    review = _command(
        commands,
        "review",
        run_review,
        "Sagas awaiting a reviewer's decision before the charge: since when, and until when"
        " (no decision by then rejects the order).",
    )
    review.add_argument(
        "--limit",
        type=_int_at_least(1),
        default=100,
        metavar="N",
        help="at most this many, soonest deadline first (default 100)",
    )
    approve = _command(
        commands,
        "approve",
        run_approve,
        "Approve an order awaiting review: the card is charged next.",
        json_output=False,
    )
    _saga_id(approve)
    approve.add_argument(
        "--by",
        metavar="NAME",
        type=_reviewer,
        help="who approves, kept in the saga's history (default: $USER, else 'an operator')",
    )
    reject = _command(
        commands,
        "reject",
        run_reject,
        "Reject an order awaiting review: what was reserved is released.",
        json_output=False,
    )
    _saga_id(reject)
    reject.add_argument(
        "--reason",
        metavar="R",
        type=_reason,
        required=True,
        help="why, kept in the saga's history and failure",
    )


def _add_dlq(commands: Any) -> None:
    dlq = _group(commands, "dlq", "Dead letters: the messages a service parked, and their replay.")
    listing = _command(
        dlq,
        "list",
        run_dlq_list,
        "Parked dead letters of each service, newest first, with the reason.",
    )
    listing.add_argument(
        "--service",
        action="append",
        metavar="S",
        help=f"only this service, repeatable: {_SERVICE_HELP} (default: every service:"
        " the core ones and each reactor installed here)",
    )
    listing.add_argument(
        "--limit",
        type=_int_at_least(1),
        default=100,
        metavar="N",
        help="at most this many letters per service (default 100)",
    )
    show = _command(dlq, "show", run_dlq_show, "One parked dead letter: full reason and body.")
    show.add_argument("id", metavar="ID", type=_int_at_least(1))
    show.add_argument("--service", required=True, metavar="S", help=_SERVICE_HELP)
    replay = _command(
        dlq,
        "replay",
        run_dlq_replay,
        "Send parked dead letters to their service's inbound task again, once the cause is fixed.",
        json_output=False,
    )
    replay.add_argument("ids", nargs="*", metavar="ID", type=_int_at_least(1))
    replay.add_argument("--all", action="store_true", help="every letter parked in the service")
    replay.add_argument("--service", required=True, metavar="S", help=_SERVICE_HELP)


def _add_reactors(commands: Any) -> None:
    reactors = _group(
        commands, "reactors", "Reactors' subscriptions to the events: list, unsubscribe, backfill."
    )
    _command(
        reactors,
        "list",
        run_reactors_list,
        "Every subscriber (plug-in or announced): events, copies sent and held, how far"
        " behind, last seen.",
    )
    unsubscribe = _command(
        reactors,
        "unsubscribe",
        run_reactors_unsubscribe,
        "Retire a reactor: no more copies of events for it (stop its worker first).",
        json_output=False,
    )
    unsubscribe.add_argument("name", metavar="NAME", help="the reactor's name, e.g. email")
    backfill = _command(
        reactors,
        "backfill",
        run_reactors_backfill,
        "Have the event dispatcher send a reactor again the past events it subscribes to.",
        json_output=False,
    )
    backfill.add_argument("name", metavar="NAME", help="the reactor's name, e.g. email")
    backfill.add_argument(
        "--since",
        metavar="DATE",
        type=iso_date,
        help="only events logged from then on: an ISO date or date-time, UTC unless it has an"
        " offset (default: all of them)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagactl",
        description="Operate the sagas, dead letters and reactors through the workers' task API.",
        epilog="Exit codes: 0 done, 1 the platform failed or did not answer, 2 usage error.",
    )
    broker = os.environ.get("SAGA_BROKER_URL", DEFAULT_BROKER_URL)
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=broker,
        help=f"broker URL (default: $SAGA_BROKER_URL, now {maybe_sanitize_url(broker)});"
        " results come back through $SAGA_RESULT_BACKEND, else the broker",
    )
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        help="seconds to wait for each answer, and for --wait (default %(default)g)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_submit(commands)
    _saga_id(
        _command(
            commands,
            "status",
            run_status,
            "A saga's key, summary, state, steps, failure and the message it waits on.",
            aliases=("show",),
        )
    )
    history = _command(
        commands,
        "history",
        run_history,
        "Everything that happened to a saga's order, across every service, in time order"
        " (the records filed under its parent key, else its own key).",
    )
    _saga_id(history)
    history.add_argument(
        "--saga-only", action="store_true", help="only the saga's own timeline (the orchestrator's)"
    )
    listing = _command(commands, "list", run_list, "The latest sagas, newest first.")
    listing.add_argument(
        "--state",
        metavar="STATE",
        help=f"only sagas in this state: {', '.join(SagaStatus)}",
    )
    listing.add_argument(
        "--definition", metavar="NAME", help="only sagas of this definition, e.g. checkout"
    )
    listing.add_argument(
        "--limit", type=_int_at_least(1), default=100, help="at most this many (default 100)"
    )
    _add_definitions(commands)
    _add_operator_actions(commands)
    _add_review(commands)

    stock_commands = _group(
        commands, "stock", "Read or set the inventory participant's stock levels."
    )
    get = _command(stock_commands, "get", run_stock_get, "Available and reserved stock of a SKU.")
    get.add_argument("sku", metavar="SKU")
    put = _command(
        stock_commands, "set", run_stock_set, "Set the available stock of a SKU.", json_output=False
    )
    put.add_argument("sku", metavar="SKU")
    put.add_argument("quantity", metavar="QTY", type=_int_at_least(0))

    for name, run, summary in (
        ("payments", run_payments, "The payment participant's payments of an order."),
        ("shipments", run_shipments, "The shipping participant's shipments of an order."),
    ):
        _command(commands, name, run, summary).add_argument("order_id", metavar="ORDER_ID")
    _add_dlq(commands)
    _add_reactors(commands)
    return parser
