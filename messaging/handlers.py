"""A service's handlers by message type: one registry per service, which its inbound task
calls (messaging/consumer.py). A command type has exactly one handler.

A message of a type the service declares no handler for is known at once: ``NotHandled``
is a ``MalformedMessage``, so the consumer parks it without retrying, as a reactor's
worker parks an event type the reactor did not declare. (An isinstance chain raised
TypeError instead, which the consumer took for a bug: retried three times, then parked.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import Connection

from messaging.codec import MalformedMessage, Message
from messaging.contracts import Payload
from messaging.outbox import OutgoingMessage
from messaging.replies import reply_to

P = TypeVar("P", bound=Payload)

Handler = Callable[[Connection, Message[Payload]], Sequence[OutgoingMessage]]
# One entry of a registry: it is given messages of its own type only (Message[ChargePayment]).
Entry = Callable[[Connection, Message[Any]], Sequence[OutgoingMessage]]


class NotHandled(MalformedMessage):
    """The service has no handler for this message type: parked at once, never retried."""


@dataclass(frozen=True)
class Registry:
    """``service``'s handlers, from payload class to handler; read-only once built."""

    service: str
    handlers: Mapping[type[Payload], Entry]

    def __post_init__(self) -> None:
        for cls in self.handlers:
            if not (isinstance(cls, type) and issubclass(cls, Payload)):
                raise TypeError(f"{self.service}: {cls!r} is not a message type")
        object.__setattr__(self, "handlers", MappingProxyType(dict(self.handlers)))

    @property
    def message_types(self) -> frozenset[str]:
        """The names of the types this service handles, as envelopes carry them."""
        return frozenset(cls.message_type for cls in self.handlers)

    def __call__(self, conn: Connection, message: Message[Payload]) -> Sequence[OutgoingMessage]:
        handler = self.handlers.get(type(message.payload))
        if handler is None:
            raise NotHandled(f"{self.service} does not handle {message.type}")
        return handler(conn, message)


def replying(
    answer: Callable[[Connection, Message[P]], Payload],
) -> Callable[[Connection, Message[P]], Sequence[OutgoingMessage]]:
    """A participant's command handler from the function that decides its one reply: the
    reply goes back to the sender (``reply_to``), the command as its cause."""

    def handle(conn: Connection, message: Message[P]) -> Sequence[OutgoingMessage]:
        return [reply_to(message, answer(conn, message))]

    return handle


class PerProcess:
    """A handler built on first use in each process, never inherited across a fork: the
    adapters it holds (a card network's HTTP session, say) belong to the process that
    uses them, as the engine does (ServiceApp). ``built`` doubles as the worker's start
    check (``ServiceApp(at_start=...)``), so a bad setting stops the worker there, not at
    its first message."""

    def __init__(self, build: Callable[[], Handler]) -> None:
        self._build = build
        self._built: tuple[int, Handler] | None = None

    def built(self) -> Handler:
        pid = os.getpid()
        if self._built is None or self._built[0] != pid:
            self._built = (pid, self._build())
        return self._built[1]

    def __call__(self, conn: Connection, message: Message[Payload]) -> Sequence[OutgoingMessage]:
        return self.built()(conn, message)
