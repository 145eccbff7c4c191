"""Message contracts: the envelope, every command, reply and event schema, and their catalog."""

from messaging.contracts.base import MessageKind, Payload
from messaging.contracts.catalog import MESSAGE_TYPES, UnknownMessageType, payload_class
from messaging.contracts.envelope import Envelope, new_message_id

__all__ = [
    "MESSAGE_TYPES",
    "Envelope",
    "MessageKind",
    "Payload",
    "UnknownMessageType",
    "new_message_id",
    "payload_class",
]
