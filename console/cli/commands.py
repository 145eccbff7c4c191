"""The saga and participant commands of sagactl: submit, status, history, list, retry,
cancel, stuck, review, approve, reject, stock, payments, shipments.

A saga is named by its saga id, or by its business key (the latest saga with that key, of
the definition given with ``--definition``, else of any definition)."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from console.cli.orders import order_of
from console.order_trail import format_order_trail, root_key
from console.timeline import (
    format_review_table,
    format_saga_table,
    format_status,
    format_stuck_table,
    format_timeline,
    money,
    review_queue,
    stamp,
)
from messaging.contracts.saga_status import TERMINAL_STATUSES
from saga_client.tasks import CommandError, RemoteError, TaskClient

POLL_INTERVAL = 0.5
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

Command = Callable[[argparse.Namespace, TaskClient], int]


def emit(args: argparse.Namespace, result: Any, text: Callable[[Any], str]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(text(result))


class UnknownSaga(CommandError):
    """No saga has this saga id or business key."""


def fetch_saga(
    client: TaskClient, ident: str, timeout: float = 0, definition: str | None = None
) -> dict[str, Any]:
    """By saga id if ``ident`` looks like one (falling back to the key), else by business
    key: the latest saga with that key of ``definition``, or of any definition. An order
    id finds its checkout this way (a return has a key of its own)."""
    if _UUID.match(ident):
        try:
            saga: dict[str, Any] = client.call(
                "orchestrator.get_saga", {"saga_id": ident}, timeout=timeout
            )
            if definition in (None, saga.get("definition")):
                return saga
        except RemoteError as exc:
            if not exc.not_found:
                raise
    by_key = {"key": ident} if definition is None else {"definition": definition, "key": ident}
    try:
        found: dict[str, Any] = client.call("orchestrator.get_saga", by_key, timeout=timeout)
        return found
    except RemoteError as exc:
        if exc.not_found:
            which = f"{definition} saga" if definition else "saga"
            raise UnknownSaga(f"no {which} with saga id or key {ident}") from None
        raise


def _saga_of(args: argparse.Namespace, client: TaskClient) -> dict[str, Any]:
    """The saga a command's ID (and ``--definition``) names."""
    return fetch_saga(client, args.id, definition=getattr(args, "definition", None))


def follow(client: TaskClient, saga_id: str) -> int:
    """Poll a saga until it ends (or ``--timeout`` passes), then print its timeline."""
    deadline = time.monotonic() + client.timeout
    while True:
        remaining = deadline - time.monotonic()
        saga = fetch_saga(client, saga_id, timeout=max(remaining, 1.0))
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


def run_submit(args: argparse.Namespace, client: TaskClient) -> int:
    order = order_of(args)
    placed = client.call("orchestrator.place_order", order, write=True)
    print(f"saga   {placed['saga_id']}\norder  {placed['order_id']}\nstate  {placed['state']}")
    if placed.get("duplicate"):
        print("duplicate: same saga as before")
    return follow(client, placed["saga_id"]) if args.wait else 0


def run_status(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, _saga_of(args, client), format_status)
    return 0


def fetch_trails(client: TaskClient, key: str) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Each participant's and reactor's records filed under ``key`` (a saga's
    ``order_trail.root_key``: its parent key, else its business key), from
    ``<service>.order_trail`` asked of all at once; and the services that did not answer
    or failed (one of them, e.g. a plug-in reactor without an ``order_trail`` task, must
    not hide the others)."""
    from console.cli.dlq import services_of  # dlq imports this module

    services = [s for s in services_of(None) if s != "orchestrator"]
    sent = [
        (service, client.send(f"{service}.order_trail", {"order_id": key})) for service in services
    ]
    trails: dict[str, list[dict[str, Any]]] = {}
    silent: list[str] = []
    for service, trail in client.gather(sent):  # one deadline for all, not one each
        if isinstance(trail, CommandError):  # no answer, its task failed, its result lost
            silent.append(service)
        else:
            trails[service] = trail
    return trails, silent


def run_history(args: argparse.Namespace, client: TaskClient) -> int:
    saga = _saga_of(args, client)
    if args.saga_only:
        emit(args, saga, format_timeline)
        return 0
    trails, silent = fetch_trails(client, root_key(saga))
    if args.json:
        print(json.dumps({"saga": saga, "trails": trails, "silent": silent}, indent=2))
    else:
        print(format_order_trail(saga, trails, silent))
    return 0


def run_list(args: argparse.Namespace, client: TaskClient) -> int:
    kwargs = {"state": args.state, "limit": args.limit, "definition": args.definition}
    sagas = client.call("orchestrator.list_sagas", kwargs)
    emit(args, sagas, format_saga_table)
    return 0


# --- operator actions: retry, cancel, and the sagas past a step deadline ------------------

CANCEL_PENDING = "cancel requested: the saga compensates once the command in flight answers"


def action_lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """A saga after an operator's action (``retry_saga``, ``cancel_saga``, ``approve_saga``
    or ``reject_saga`` result), with the state it had before if that changed."""
    state = str(after.get("state", "?"))
    was = before.get("state")
    return [
        f"saga   {after.get('saga_id') or before.get('saga_id', '?')}",
        f"key    {before.get('definition', '?')} {before.get('business_key', '?')}",
        f"state  {state}" + (f" (was {was})" if was and was != state else ""),
        f"step   {after.get('current_step') or '-'}",
    ]


def run_retry(args: argparse.Namespace, client: TaskClient) -> int:
    saga = _saga_of(args, client)
    result = client.call("orchestrator.retry_saga", {"saga_id": saga["saga_id"]}, write=True)
    print("\n".join(action_lines(saga, result)))
    return 0


def run_cancel(args: argparse.Namespace, client: TaskClient) -> int:
    saga = _saga_of(args, client)
    kwargs = {"saga_id": saga["saga_id"]}
    if args.reason is not None:
        kwargs["reason"] = args.reason
    result = client.call("orchestrator.cancel_saga", kwargs, write=True)
    lines = action_lines(saga, result)
    if args.reason is not None:
        lines.append(f"reason {args.reason}")
    if result.get("state") == "running":
        lines.append(CANCEL_PENDING)
    print("\n".join(lines))
    return 0


def run_stuck(args: argparse.Namespace, client: TaskClient) -> int:
    emit(args, client.call("orchestrator.stuck_sagas", {"limit": args.limit}), format_stuck_table)
    return 0


# --- manual review: the orders at or above the review threshold wait for a decision -------

AWAITING_APPROVAL = "awaiting_approval"
# list_sagas answers at most this many (newest first); the queue is sorted here.
MAX_LISTED = 1000
DEFAULT_REVIEWER = "an operator"


def reviewer() -> str:
    """Who approves when ``--by`` is not given: $USER, else "an operator"."""
    return " ".join(os.environ.get("USER", "").split()) or DEFAULT_REVIEWER


def run_review(args: argparse.Namespace, client: TaskClient) -> int:
    awaiting = client.call(
        "orchestrator.list_sagas", {"state": AWAITING_APPROVAL, "limit": MAX_LISTED}
    )
    queue = review_queue(awaiting)
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


def run_approve(args: argparse.Namespace, client: TaskClient) -> int:
    saga = _saga_of(args, client)
    by = args.by or reviewer()
    result = client.call(
        "orchestrator.approve_saga", {"saga_id": saga["saga_id"], "by": by}, write=True
    )
    print("\n".join([*action_lines(saga, result), f"by     {by}"]))
    return 0


def run_reject(args: argparse.Namespace, client: TaskClient) -> int:
    saga = _saga_of(args, client)
    kwargs = {"saga_id": saga["saga_id"], "reason": args.reason}
    result = client.call("orchestrator.reject_saga", kwargs, write=True)
    print("\n".join([*action_lines(saga, result), f"reason {args.reason}"]))
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
