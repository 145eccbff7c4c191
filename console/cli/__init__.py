"""sagactl, the operator CLI: submit orders, start a saga of any definition, list and
describe the definitions (with their diagram), follow sagas (by saga id, or by business
key), retry a failed saga, cancel a running one, list the sagas stuck past a step
deadline, list the sagas awaiting review and approve or reject them, read and set
participant state, list the platform's services, list and replay dead letters, list the
reactors' subscriptions and backfill one, show what retention holds and will delete.

It talks to the platform only through ``saga_client.SagaPlatform``: Celery task messages
sent by task name to each service's queue, their answers parsed into the read models.
Exit codes: 0 done, 1 the platform failed or did not answer, 2 usage error.

Modules: ``base`` (what every command shares: output, argument types), ``orders`` (orders
from a file or from flags), ``sagas`` (submit, status, history, list), ``operator`` (retry,
cancel, stuck, review, approve, reject), ``participants`` (stock, payments, shipments),
``definitions`` (start, definitions, describe), ``dlq`` (services, dead letters),
``reactor_commands`` (reactors), ``retention`` (retention), ``parser`` (the global
options and every group).
"""

from __future__ import annotations

import os
import sys

from console.cli.parser import DEFAULT_TIMEOUT, build_parser
from console.errors import UsageError
from saga_client.platform import SagaPlatform
from saga_client.tasks import CommandError, TaskClient, build_app

__all__ = ["DEFAULT_TIMEOUT", "build_app", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    backend = os.environ.get("SAGA_RESULT_BACKEND") or args.broker
    app = build_app(args.broker, backend)
    try:
        return int(args.run(args, SagaPlatform(TaskClient(app, args.timeout))))
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
