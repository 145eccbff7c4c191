"""sagactl, the operator CLI: submit orders, start a saga of any definition, list and
describe the definitions (with their diagram), follow sagas (by saga id, or by business
key), retry a failed saga, cancel a running one, list the sagas stuck past a step
deadline, list the sagas awaiting review and approve or reject them, read and set
participant state, list and replay dead letters, list the installed reactors and backfill
one.

It talks to the platform only through Celery task messages sent by task name to each
service's queue (the task name minus its last part: ``inventory.get_stock`` goes to
``inventory``, ``reactor.crm.get_customer`` to ``reactor.crm``), and waits for their results.
Exit codes: 0 done, 1 the platform failed or did not answer, 2 usage error.

Modules: ``client`` (the task client and its errors), ``orders`` (orders from a file or from
flags), ``commands`` (sagas, their retry and cancel, stuck sagas, the sagas awaiting review
and their approval or rejection, and participants), ``definitions`` (start, definitions,
describe), ``dlq`` (dead letters), ``reactor_commands`` (reactors), ``parser`` (the
arguments).
"""

from __future__ import annotations

import os
import sys

from console.cli.commands import (
    Command,
    emit,
    fetch_saga,
    format_payments,
    format_shipments,
)
from console.cli.orders import (
    ORDER_FLAGS,
    order_from_flags,
    order_of,
    parse_item,
    read_order_file,
)
from console.cli.parser import DEFAULT_TIMEOUT, build_parser, iso_date
from console.errors import UsageError
from console.timeline import money
from saga_client.tasks import (
    CommandError,
    NoAnswer,
    RemoteError,
    TaskClient,
    build_app,
    queue_of,
    root_cause,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "ORDER_FLAGS",
    "Command",
    "CommandError",
    "NoAnswer",
    "RemoteError",
    "TaskClient",
    "UsageError",
    "build_app",
    "build_parser",
    "emit",
    "fetch_saga",
    "format_payments",
    "format_shipments",
    "iso_date",
    "main",
    "money",
    "order_from_flags",
    "order_of",
    "parse_item",
    "queue_of",
    "read_order_file",
    "root_cause",
]


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
