"""Bring service stores up to date with their migrations:

    saga-migrate                      every service, each at its usual database URL
    saga-migrate orchestrator         one service (or several)
    saga-migrate inventory --url postgresql://...   one service at a given URL
    saga-migrate --check              say which stores are behind, change nothing

A service's URL is the one its processes use: ``<SERVICE>_DATABASE_URL``, else the
SQLite file under SAGA_DATA_DIR (messaging/settings.py). "Every service" is the
orchestrator, the participants and every installed reactor (entry points). One line per
store says what was done; the exit status is 1 when a store could not be brought up to
date (or, with --check, is behind).

The services' schemas are named here by import path, as the Procfile names their apps:
messaging imports no service (an import-linter contract).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.engine import make_url

from messaging.database import build_engine
from messaging.reactors import REACTOR_SERVICE_PREFIX, discover, load
from messaging.schema import StoreSchema, behind, upgrade
from messaging.settings import Settings

SERVICES = {
    "orchestrator": "orchestrator.migrations:SCHEMA",
    "inventory": "participants.inventory.migrations:SCHEMA",
    "payment": "participants.payment.migrations:SCHEMA",
    "shipping": "participants.shipping.migrations:SCHEMA",
    "fraud": "participants.fraud.migrations:SCHEMA",
}


def schemas() -> dict[str, StoreSchema]:
    """Every service's store schema, by service name (reactors: ``reactor.<name>``)."""
    found: dict[str, StoreSchema] = {name: load(path) for name, path in SERVICES.items()}
    for reactor in discover().values():
        found[reactor.service] = reactor.schema()
    return found


def migrate(schema: StoreSchema, url: str, *, check_only: bool = False) -> str:
    """One store: what was done (or, with ``check_only``, where it stands)."""
    engine = build_engine(url)
    try:
        if check_only:
            with engine.connect() as conn:
                missing = behind(conn, schema)
            if missing:
                raise RuntimeError(f"behind (missing {', '.join(missing)})")
            return "up to date"
        return str(upgrade(engine, schema))
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="saga-migrate", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("services", nargs="*", help="e.g. orchestrator, reactor.email")
    parser.add_argument("--url", help="the database URL (one service only)")
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    known = schemas()
    names = [_service_name(name) for name in args.services] or list(known)
    if args.url and len(names) != 1:
        parser.error("--url needs exactly one service")
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown service {', '.join(unknown)}; known: {', '.join(known)}")
    failed = False
    for name in names:
        url = args.url or Settings.from_env(name).database_url
        shown = make_url(url).render_as_string(hide_password=True)
        try:
            done = migrate(known[name], url, check_only=args.check)
        except Exception as exc:
            failed = True
            print(f"{name} {shown}: FAILED: {exc}", file=sys.stderr)
            continue
        print(f"{name} {shown}: {done}")
    return 1 if failed else 0


def _service_name(name: str) -> str:
    """``email`` is taken for ``reactor.email`` when no core service has that name."""
    if name in SERVICES or name.startswith(REACTOR_SERVICE_PREFIX):
        return name
    return REACTOR_SERVICE_PREFIX + name


if __name__ == "__main__":
    raise SystemExit(main())
