"""Reactor declarations and their discovery through the ``saga_platform.reactors``
entry-point group, so an installed package can add a reactor without touching us.

A declaration is light on purpose: names and import paths only. A reactor's worker
announces the declaration to the orchestrator's event dispatcher when it starts
(messaging/subscriptions.py); only that worker imports its handler and tables.

A reactor's handler is best an ``EventHandlers``: one function per event type, looked up
by the event's class; a type with no entry is ``NotHandled``, parked at once, as the
worker parks a type the declaration does not name (messaging/reactor_worker.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy import Connection, MetaData

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.handlers import Entry, Registry
from messaging.logs import get_logger
from messaging.outbox import OutgoingMessage
from messaging.schema import Branch, StoreSchema
from messaging.subscriptions import NAME, parse_start

ENTRY_POINT_GROUP = "saga_platform.reactors"

EventHandler = Callable[[Connection, Message[Payload]], None]
# One entry of an EventHandlers: it is given events of its own type only.
EventEntry = Callable[[Connection, Message[Any]], None]


class EventHandlers:
    """``reactor``'s handlers, from event class to function, held in a ``Registry``
    (messaging/handlers.py): read-only once built, and a type with no entry is
    ``NotHandled``. Its ``event_types`` are what the reactor's declaration names (a test
    checks it: tests/unit/test_handler_registries.py)."""

    def __init__(self, reactor: str, handlers: Mapping[type[Payload], EventEntry]) -> None:
        self.registry = Registry(
            reactor, {cls: _no_reply(entry) for cls, entry in handlers.items()}
        )

    @property
    def event_types(self) -> frozenset[str]:
        """The names of the types handled, as envelopes carry them."""
        return self.registry.message_types

    def __call__(self, conn: Connection, message: Message[Payload]) -> None:
        self.registry(conn, message)


def _no_reply(entry: EventEntry) -> Entry:
    """An event has no answer: the entry as a registry's handler that sends nothing."""

    def handle(conn: Connection, message: Message[Any]) -> Sequence[OutgoingMessage]:
        entry(conn, message)
        return ()

    return handle


# A reactor's service (its queue, task prefix and store settings) is this plus its name.
REACTOR_SERVICE_PREFIX = "reactor."


@dataclass(frozen=True)
class Reactor:
    name: str
    events: frozenset[str]
    # "module:factory": called once per worker process, returns the EventHandler.
    handler: str
    # "module:attribute": the SQLAlchemy MetaData of the reactor's own tables, if any.
    tables: str | None = None
    # A package whose ``versions`` folder holds the Alembic revisions of its tables
    # (branch ``reactor_<name>``), if any; without it the tables are created when
    # missing and never altered (messaging/schema.py).
    migrations: str | None = None
    # "module:function": registers extra read tasks on the reactor's Celery app, if any.
    tasks: str | None = None
    # Transient failures retry on the reactor's own queue after about 1, 2, 4, ... 30 s
    # (full jitter): eight attempts ride out a minute-long outage, then the event is parked.
    max_attempts: int = 8
    retry_base: float = 1.0
    # Where its subscription starts the first time it announces itself: "latest" (events
    # logged from then on), "earliest" (every logged event) or an ISO date.
    start: str = "latest"

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"reactor name {self.name!r} must match {NAME.pattern}")
        if not self.events:
            raise ValueError(f"reactor {self.name!r} subscribes to no event")
        if self.max_attempts < 1:
            raise ValueError(f"reactor {self.name!r}: max_attempts must be at least 1")
        parse_start(self.start)

    @classmethod
    def in_package(
        cls, name: str, package: str, events: Iterable[str], *, migrations: bool = False
    ) -> Reactor:
        """A reactor laid out as ours are (reactors/email): its handler factory
        ``<package>.handler:build``, its tables ``<package>.store:metadata``, its read
        tasks ``<package>.tasks:register``, with ``migrations`` its revisions in
        ``<package>/migrations/versions``; the other settings left at their defaults."""
        return cls(
            name=name,
            events=frozenset(events),
            handler=f"{package}.handler:build",
            tables=f"{package}.store:metadata",
            tasks=f"{package}.tasks:register",
            migrations=f"{package}.migrations" if migrations else None,
        )

    @property
    def owner(self) -> str:
        """Who holds the name: the top-level package of its handler."""
        return self.handler.partition(":")[0].split(".")[0]

    @property
    def service(self) -> str:
        """Its queue, its Celery app's name and the prefix of its task names."""
        return REACTOR_SERVICE_PREFIX + self.name

    def schema(self) -> StoreSchema:
        """Its store: the shared tables and receipts, and its own (migrated when it ships
        revisions, else created when missing). Imports its tables' module."""
        own = load(self.tables) if self.tables else MetaData()
        if self.migrations is None:
            return StoreSchema.of(self.service, reactor=True, unversioned=(own,))
        label = "reactor_" + self.name
        return StoreSchema.of(
            self.service, Branch.in_package(label, self.migrations, own), reactor=True
        )


def load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class BadReactor(LookupError):
    pass


def discover(strict: bool = True) -> dict[str, Reactor]:
    """Every installed reactor, by name. A declaration that does not load, or a second
    reactor with a taken name, is an error; with ``strict=False`` (the orchestrator: one
    broken plug-in must not stop the checkout) it is logged and left out."""
    found: dict[str, Reactor] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            reactor = entry.load()
            if not isinstance(reactor, Reactor):
                raise BadReactor(f"entry point {entry.name} = {entry.value} is not a Reactor")
            if reactor.name in found:
                raise BadReactor(f"two reactors are named {reactor.name!r}")
        except Exception as exc:
            if strict:
                raise
            get_logger().error("reactor_skipped", entry_point=entry.value, error=repr(exc))
            continue
        found[reactor.name] = reactor
    return found
