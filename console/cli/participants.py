"""The participants' own state through sagactl: the inventory's stock (read and set), the
payments and the shipments of an order. Each participant answers in its own shape (plain
JSON, not an orchestrator read model), read here as it documents it."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from console.cli.base import command, emit, group, int_at_least
from console.text import stamp
from messaging.contracts.money import format_money
from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError


def _when(value: str) -> str:
    return stamp(datetime.fromisoformat(value))


def _stock_line(stock: Mapping[str, Any]) -> str:
    return f"{stock['sku']}: {stock['available']} available, {stock['reserved']} reserved"


def run_stock_get(args: argparse.Namespace, platform: SagaPlatform) -> int:
    stock = platform.tasks.call("inventory.get_stock", {"sku": args.sku})
    if stock is None and not args.json:
        raise CommandError(f"no stock record for sku {args.sku}")
    emit(args, stock, _stock_line)
    return 0 if stock is not None else 1


def run_stock_set(args: argparse.Namespace, platform: SagaPlatform) -> int:
    kwargs = {"sku": args.sku, "quantity": args.quantity}
    print(_stock_line(platform.tasks.call("inventory.set_stock", kwargs, write=True)))
    return 0


def format_payments(view: Mapping[str, Any]) -> str:
    payments = view.get("payments") or []
    if not payments:
        return f"no payments for order {view.get('order_id')}"
    net = format_money(view["net_charged_cents"], payments[0]["currency"])
    lines = [f"order {view['order_id']}: net charged {net}"]
    for p in payments:
        refunded = f", refunded {format_money(p['refunded_cents'], p['currency'])}"
        when = f" at {_when(p['refunded_at'])}" if p.get("refunded_at") else ""
        lines.append(
            f"  {p['payment_id']}  {p['status']}  {format_money(p['amount_cents'], p['currency'])}"
            f" charged at {_when(p['charged_at'])}{refunded if p['refunded_cents'] else ''}{when}"
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
            f"  created {_when(s['created_at'])}  to {to}"
        )
    return "\n".join(lines)


def run_payments(args: argparse.Namespace, platform: SagaPlatform) -> int:
    payments = platform.tasks.call("payment.get_payments", {"order_id": args.order_id})
    emit(args, payments, format_payments)
    return 0


def run_shipments(args: argparse.Namespace, platform: SagaPlatform) -> int:
    shipments = platform.tasks.call("shipping.get_shipments", {"order_id": args.order_id})
    emit(args, shipments, lambda found: format_shipments(found, args.order_id))
    return 0


def add_participant_commands(commands: Any) -> None:
    stock = group(commands, "stock", "Read or set the inventory participant's stock levels.")
    get = command(stock, "get", run_stock_get, "Available and reserved stock of a SKU.")
    get.add_argument("sku", metavar="SKU")
    put = command(stock, "set", run_stock_set, "Set the available stock of a SKU.", writes=True)
    put.add_argument("sku", metavar="SKU")
    put.add_argument("quantity", metavar="QTY", type=int_at_least(0))
    for name, run, summary in (
        ("payments", run_payments, "The payment participant's payments of an order."),
        ("shipments", run_shipments, "The shipping participant's shipments of an order."),
    ):
        command(commands, name, run, summary).add_argument("order_id", metavar="ORDER_ID")
