"""Message contracts: the envelope, every command, reply and event schema, and their catalog.

The catalog loads on first use, not with this package: it names a saga's events too
(``sagas.<name>.events``), and those modules import ``messaging.contracts.base``, which
runs this file first. An eager import here would make importing a saga's events on its
own a cycle."""

from typing import TYPE_CHECKING, Any

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.envelope import Envelope, new_message_id

if TYPE_CHECKING:
    from messaging.contracts.catalog import MESSAGE_TYPES, UnknownMessageType, payload_class

_FROM_CATALOG = frozenset({"MESSAGE_TYPES", "UnknownMessageType", "payload_class"})

__all__ = [
    "MESSAGE_TYPES",
    "Envelope",
    "MessageKind",
    "Payload",
    "UnknownMessageType",
    "new_message_id",
    "payload_class",
]


def __getattr__(name: str) -> Any:
    if name not in _FROM_CATALOG:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from messaging.contracts import catalog

    value = getattr(catalog, name)
    globals()[name] = value  # found directly from now on
    return value
