"""A participant's service layer, driven as its worker drives it but with no broker and no
worker: ``messaging.consumer.consume`` with the participant's registry and policy on a
real store. The Celery task is a stand-in that records a retry instead of re-queueing the
message, and the publisher keeps what it is given, in publishing order."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import structlog
from sqlalchemy import Engine, select

from messaging import dead_letters
from messaging.codec import decode
from messaging.consumer import PARTICIPANT, Inbound, Policy, consume
from messaging.contracts import Envelope, Payload
from messaging.handlers import Handler
from messaging.outbox import PendingRow
from messaging.routing import inbound_task
from messaging.schema import StoreSchema
from messaging.service_app import ServiceApp
from messaging.tables import inbox, outbox


class Retried(Exception):
    """What the stand-in task's ``retry`` gives back to be raised: in a worker, the
    message would go back to its queue for another attempt."""


@dataclass
class Task:
    """Stands in for the bound ``<service>.handle_message`` task, on attempt
    ``retries + 1``; ``retried`` holds each retry's countdown."""

    name: str
    retries: int = 0
    retried: list[float] = field(default_factory=list)

    @property
    def request(self) -> SimpleNamespace:
        return SimpleNamespace(id=None, retries=self.retries)

    def retry(self, countdown: float, max_retries: int | None, exc: Any = None) -> Retried:
        self.retried.append(countdown)
        return Retried(f"retry in {countdown:.2f}s of at most {max_retries}")


@dataclass
class Kept:
    """A publisher that keeps every row it is given."""

    rows: list[PendingRow] = field(default_factory=list)

    def publish(self, row: PendingRow) -> None:
        self.rows.append(row)


@dataclass(frozen=True)
class Store:
    """The service as ``consume`` needs it: a name, a store, a publisher."""

    service: str
    engine: Engine
    publisher: Kept
    marks: None = None  # each publish marks its own rows at once


@dataclass(frozen=True)
class Participant:
    """One participant on one store, and what it published."""

    inbound: Inbound

    @classmethod
    def on(
        cls, service: str, engine: Engine, handler: Handler, policy: Policy = PARTICIPANT
    ) -> Participant:
        return cls(Inbound(Store(service, engine, Kept()), handler, policy))

    @property
    def engine(self) -> Engine:
        return self.inbound.app.engine

    @property
    def published(self) -> list[PendingRow]:
        publisher = self.inbound.app.publisher
        assert isinstance(publisher, Kept)
        return publisher.rows

    def deliver(self, raw: Any, retries: int = 0) -> Task:
        """One delivery of ``raw`` to the inbound task, on attempt ``retries + 1``."""
        task = Task(inbound_task(self.inbound.app.service), retries)
        structlog.contextvars.clear_contextvars()  # as a worker does before each task
        consume(self.inbound, task, raw)
        return task

    def send(self, command: Payload, reply_to: str = "orchestrator") -> Any:
        """``command`` under a new message id, handled once; its one reply, decoded."""
        envelope = Envelope.wrap(
            command, saga_id="saga-1", correlation_id="corr-1", reply_to=reply_to
        )
        self.deliver(envelope.to_json_dict())
        assert self.parked() == [], self.parked()
        (row,) = self.replies_to(envelope.message_id)
        assert row.queue == reply_to
        return decode(row.body).payload

    def replies_to(self, message_id: str) -> list[PendingRow]:
        """What was published in answer to ``message_id``, every time it was answered."""
        return [row for row in self.published if row.body["causation_id"] == message_id]

    def parked(self) -> list[dead_letters.DeadLetter]:
        return dead_letters.list_parked(self.engine)

    def handled_ids(self) -> list[str]:
        """The message ids in the inbox: handled, or being handled."""
        with self.engine.begin() as conn:
            return list(conn.execute(select(inbox.c.message_id)).scalars())

    def outbox_ids(self) -> list[str]:
        with self.engine.begin() as conn:
            return list(conn.execute(select(outbox.c.message_id)).scalars())


class AppOnStore(ServiceApp):
    """A service's Celery app over a given store, to call its read tasks in this process.
    Its tasks are its own: Celery's default (``shared=True``) would also register them on
    every app made later in the process, bound to this one's store."""

    def __init__(self, service: str, engine: Engine) -> None:
        super().__init__(service, StoreSchema.of(service))  # the given store: never migrated
        self._store = engine

    @property
    def engine(self) -> Engine:
        return self._store

    def task(self, *args: Any, **opts: Any) -> Any:
        return super().task(*args, **{"shared": False, **opts})
