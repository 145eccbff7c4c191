"""sagactl, the operator CLI: submit orders, follow sagas, read and set participant state.

It talks to the platform only through Celery task messages sent by task name to each
service's queue (the part of the name before the dot), and waits for their results.
Exit codes: 0 done, 1 the platform failed or did not answer, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as ResultTimeout
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

from messaging.settings import DEFAULT_BROKER_URL
from orchestrator.engine import TERMINAL_STATUSES
from orchestrator.timeline import format_saga_table, format_status, format_timeline, stamp

DEFAULT_TIMEOUT = 15.0
POLL_INTERVAL = 0.5
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

# --- errors -------------------------------------------------------------------------------


class CommandError(Exception):
    """Something to report in one line on stderr; sagactl exits 1."""


class RemoteError(CommandError):
    """A task raised: carries the remote exception's type name and message."""

    def __init__(self, task: str, exc: BaseException) -> None:
        self.type_name = type(exc).__name__
        # get_saga raises LookupError (older workers: SagaNotFound, rebuilt by name)
        self.not_found = isinstance(exc, LookupError) or self.type_name == "SagaNotFound"
        super().__init__(f"{task} failed: {str(exc) or self.type_name}")


class UsageError(Exception):
    """Arguments argparse could not check on its own; sagactl exits 2."""


# --- the task client ----------------------------------------------------------------------


# Give up on an unreachable broker or result backend within seconds, not minutes.
_FEW_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def build_app(broker: str, backend: str) -> Celery:
    app = Celery("sagactl", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        broker_connection_timeout=3,
        broker_connection_max_retries=2,
        task_publish_retry_policy=_FEW_RETRIES,
        redis_socket_connect_timeout=3,
        result_backend_transport_options={"retry_policy": _FEW_RETRIES},
    )
    return app


def root_cause(exc: BaseException) -> str:
    """The innermost cause of an exception, on one line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return " ".join(str(exc).split()) or type(exc).__name__


class TaskClient:
    """Sends one task by name to its service's queue and waits for its result."""

    def __init__(self, app: Celery, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    def call(
        self, task: str, kwargs: Mapping[str, Any], *, write: bool = False, timeout: float = 0
    ) -> Any:
        queue = task.split(".", 1)[0]
        wait = timeout or self.timeout
        try:
            # A read nobody picked up in time is dropped; a write stays queued.
            result = self.app.send_task(
                task, kwargs=dict(kwargs), queue=queue, expires=None if write else wait
            )
        except Exception as exc:  # nothing ran remotely: the broker or backend is unreachable
            url = maybe_sanitize_url(self.app.conf.broker_url)
            raise CommandError(
                f"cannot send {task} (broker {url}, or its result backend): {root_cause(exc)}"
            ) from None
        try:
            return result.get(timeout=wait)
        except ResultTimeout:
            later = " The request stays queued and runs when a worker takes it." if write else ""
            raise CommandError(
                f"no answer from {task} within {wait:g}s: the {queue} worker may not be"
                f" running.{later}"
            ) from None
        except Exception as exc:  # the task's own error, re-raised by Celery, or a lost link
            lost = (OperationalError, *getattr(self.app.backend, "connection_errors", ()))
            if isinstance(exc, lost) or isinstance(exc.__cause__, lost):
                raise CommandError(f"lost the result backend: {root_cause(exc)}") from None
            raise RemoteError(task, exc) from None


# --- orders from a file or from flags -----------------------------------------------------


def parse_item(text: str) -> dict[str, Any]:
    """``SKU:QTY:UNIT_PRICE_CENTS`` as an order item (a SKU may itself contain colons)."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        raise argparse.ArgumentTypeError(
            f"item {text!r} is not SKU:QTY:UNIT_PRICE_CENTS (e.g. SKU-1:2:1999)"
        )
    sku, quantity, price = parts
    if not quantity.isdigit() or int(quantity) < 1:
        raise argparse.ArgumentTypeError(
            f"item {text!r}: quantity {quantity!r} is not a positive integer"
        )
    if not price.isdigit():
        raise argparse.ArgumentTypeError(
            f"item {text!r}: unit price {price!r} is not a whole number of cents"
        )
    return {"sku": sku, "quantity": int(quantity), "unit_price_cents": int(price)}


# The order flags of `submit` that have no default, by argparse dest.
ORDER_FLAGS = {
    "order_id": "--order-id",
    "customer_id": "--customer-id",
    "email": "--email",
    "name": "--name",
    "items": "--item",
    "token": "--token",
    "line1": "--line1",
    "city": "--city",
    "postal_code": "--postal-code",
    "country": "--country",
}
_OPTIONAL_ORDER_FLAGS = {"currency": "--currency", "address_name": "--address-name"}


def order_from_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The ``orchestrator.place_order`` kwargs from the order flags of ``submit``."""
    missing = [flag for dest, flag in ORDER_FLAGS.items() if not getattr(args, dest, None)]
    if missing:
        raise UsageError(f"give FILE, or the order flags; missing: {', '.join(missing)}")
    return {
        "order_id": args.order_id,
        "customer": {"id": args.customer_id, "email": args.email, "name": args.name},
        "items": list(args.items),
        "currency": args.currency or "EUR",
        "payment_token": args.token,
        "shipping_address": {
            "name": args.address_name or args.name,
            "line1": args.line1,
            "city": args.city,
            "postal_code": args.postal_code,
            "country": args.country,
        },
    }


def read_order_file(name: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        order = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the order from {name}: {exc}") from None
    if not isinstance(order, dict):
        raise CommandError(f"the order in {name} must be a JSON object")
    return order


def order_of(args: argparse.Namespace) -> dict[str, Any]:
    flags = {**ORDER_FLAGS, **_OPTIONAL_ORDER_FLAGS}
    given = [flag for dest, flag in flags.items() if getattr(args, dest, None)]
    if args.file is None:
        return order_from_flags(args)
    if given:
        raise UsageError(f"give FILE or the order flags, not both (got {', '.join(given)})")
    return read_order_file(args.file)


# --- commands -----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, TaskClient], int]


def emit(args: argparse.Namespace, result: Any, text: Callable[[Any], str]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(text(result))


def fetch_saga(client: TaskClient, ident: str, timeout: float = 0) -> dict[str, Any]:
    """By saga id if ``ident`` looks like one (falling back to order id), else by order id."""
    if _UUID.match(ident):
        try:
            saga: dict[str, Any] = client.call(
                "orchestrator.get_saga", {"saga_id": ident}, timeout=timeout
            )
            return saga
        except RemoteError as exc:
            if not exc.not_found:
                raise
    try:
        by_order: dict[str, Any] = client.call(
            "orchestrator.get_saga", {"order_id": ident}, timeout=timeout
        )
        return by_order
    except RemoteError as exc:
        if exc.not_found:
            raise CommandError(f"no saga with saga id or order id {ident}") from None
        raise


def run_submit(args: argparse.Namespace, client: TaskClient) -> int:
    order = order_of(args)
    placed = client.call("orchestrator.place_order", order, write=True)
    print(f"saga   {placed['saga_id']}\norder  {placed['order_id']}\nstate  {placed['state']}")
    if placed.get("duplicate"):
        print("duplicate: same saga as before")
    if not args.wait:
        return 0
    deadline = time.monotonic() + client.timeout
    while True:
        remaining = deadline - time.monotonic()
        saga = fetch_saga(client, placed["saga_id"], timeout=max(remaining, 1.0))
        if saga["state"] in TERMINAL_STATUSES or remaining <= 0:
            break
        time.sleep(min(POLL_INTERVAL, max(remaining, 0.0)))
    print()
    print(format_timeline(saga))
    if saga["state"] not in TERMINAL_STATUSES:
        raise CommandError(
            f"saga still {saga['state']} after {client.timeout:g}s;"
            f" follow it with: sagactl history {saga['saga_id']}"
        )
    return 0


def run_status(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, fetch_saga(client, args.id), format_status)
    return 0


def run_history(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, fetch_saga(client, args.id), format_timeline)
    return 0


def run_list(args: argparse.Namespace, client: TaskClient) -> int:
    sagas = client.call("orchestrator.list_sagas", {"state": args.state, "limit": args.limit})
    emit(args, sagas, format_saga_table)
    return 0


def _stock_line(stock: Mapping[str, Any]) -> str:
    return f"{stock['sku']}: {stock['available']} available, {stock['reserved']} reserved"


def run_stock_get(args: argparse.Namespace, client: TaskClient) -> int:
    stock = client.call("inventory.get_stock", {"sku": args.sku})
    if stock is None and not args.json:
        raise CommandError(f"no stock record for sku {args.sku}")
    emit(args, stock, _stock_line)
    return 0 if stock is not None else 1


def run_stock_set(args: argparse.Namespace, client: TaskClient) -> int:
    kwargs = {"sku": args.sku, "quantity": args.quantity}
    print(_stock_line(client.call("inventory.set_stock", kwargs, write=True)))
    return 0


def money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d} {currency}"


def format_payments(view: Mapping[str, Any]) -> str:
    payments = view.get("payments") or []
    if not payments:
        return f"no payments for order {view.get('order_id')}"
    currency = payments[0]["currency"]
    lines = [f"order {view['order_id']}: net charged {money(view['net_charged_cents'], currency)}"]
    for p in payments:
        refunded = f", refunded {money(p['refunded_cents'], p['currency'])}"
        when = f" at {stamp(p['refunded_at'])}" if p.get("refunded_at") else ""
        lines.append(
            f"  {p['payment_id']}  {p['status']}  {money(p['amount_cents'], p['currency'])}"
            f" charged at {stamp(p['charged_at'])}{refunded if p['refunded_cents'] else ''}{when}"
        )
    return "\n".join(lines)


def format_shipments(shipments: list[Mapping[str, Any]], order_id: str = "") -> str:
    if not shipments:
        return f"no shipments for order {order_id}".rstrip()
    lines = []
    for s in shipments:
        address = s.get("address") or {}
        to = ", ".join(str(address[k]) for k in ("name", "city", "country") if k in address)
        lines.append(
            f"{s['shipment_id']}  {s['carrier']}  {s['tracking_number']}"
            f"  created {stamp(s['created_at'])}  to {to}"
        )
    return "\n".join(lines)


def run_payments(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, client.call("payment.get_payments", {"order_id": args.order_id}), format_payments)
    return 0


def run_shipments(args: argparse.Namespace, client: TaskClient) -> int:
    shipments = client.call("shipping.get_shipments", {"order_id": args.order_id})
    emit(args, shipments, lambda found: format_shipments(found, args.order_id))
    return 0


# --- the parser ---------------------------------------------------------------------------


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


def _command(
    commands: Any, name: str, run: Command, summary: str, *, json_output: bool = True
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagactl",
        description="Operate the checkout sagas through the workers' task API.",
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
    for name, run, summary in (
        ("status", run_status, "A saga's state, steps, failure and the message it waits on."),
        ("history", run_history, "A saga's timeline, one line per history entry."),
    ):
        _command(commands, name, run, summary).add_argument(
            "id", metavar="ID", help="saga id, or order id"
        )
    listing = _command(commands, "list", run_list, "The latest sagas, newest first.")
    listing.add_argument("--state", help="only sagas in this state, e.g. failed")
    listing.add_argument(
        "--limit", type=_int_at_least(1), default=100, help="at most this many (default 100)"
    )

    about_stock = "Read or set the inventory participant's stock levels."
    stock = commands.add_parser("stock", help=about_stock, description=about_stock)
    stock_commands = stock.add_subparsers(title="commands", metavar="COMMAND", required=True)
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    backend = os.environ.get("SAGA_RESULT_BACKEND") or args.broker
    app = build_app(args.broker, backend)
    try:
        return int(args.run(args, TaskClient(app, args.timeout)))
    except UsageError as exc:
        args.parser.error(str(exc))  # prints the usage and exits 2
        return 2
    except CommandError as exc:
        print(f"sagactl: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        app.close()


if __name__ == "__main__":
    raise SystemExit(main())
