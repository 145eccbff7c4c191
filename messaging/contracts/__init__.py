"""Message contracts: the envelope, the participants' commands and replies, and the
catalog gathered from every module that declares ``MESSAGES`` (see catalog.py)."""

from messaging.contracts.base import Casters, MessageKind, Payload
from messaging.contracts.catalog import Catalog, UnknownMessageType, catalog, payload_class
from messaging.contracts.envelope import Envelope, new_message_id

__all__ = [
    "Casters",
    "Catalog",
    "Envelope",
    "MessageKind",
    "Payload",
    "UnknownMessageType",
    "catalog",
    "new_message_id",
    "payload_class",
]
