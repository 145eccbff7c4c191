"""Turns what arrived on a queue into a validated message, or says exactly why it cannot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from messaging.contracts import Envelope, Payload, UnknownMessageType, payload_class
from messaging.contracts.versions import VersionNotReadable, upcast

MAX_MESSAGE_BYTES = 64 * 1024
# What an operator does about a message newer than its reader: it waits in dead letters.
UPGRADE = (
    "upgrade this service, then replay its dead letters "
    "(sagactl dlq replay --all --service {service})"
)

# Covariant: a message of ChargePayment is a message of Payload (it is frozen).
P_co = TypeVar("P_co", bound=Payload, covariant=True)


class MalformedMessage(ValueError):
    """The message cannot be handled: unknown type, wrong version or schema violation."""


@dataclass(frozen=True)
class Message(Generic[P_co]):
    """A decoded message. The envelope is the one that arrived, at the version it was
    written in; the payload is always the reader's version (upcast if it came older)."""

    envelope: Envelope
    payload: P_co

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def arrived_version(self) -> int:
        """The schema version the sender wrote."""
        return self.envelope.schema_version

    @property
    def upcast(self) -> bool:
        """Whether the payload was lifted from an older version by the reader's upcasters."""
        return self.envelope.schema_version != self.payload.schema_version


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{prefix}{location}: {error['msg']}")
    return "; ".join(parts)


def decode(raw: Any, service: str | None = None) -> Message[Payload]:
    """Validate an envelope and its payload, upcast to the reader's version if it is older.
    Raises MalformedMessage with a readable reason; ``service`` (the reader) is named in
    the reason of a version newer than it reads, in the command that replays it."""
    if isinstance(raw, str | bytes):
        if len(raw) > MAX_MESSAGE_BYTES:
            raise MalformedMessage(f"message is {len(raw)} bytes, limit {MAX_MESSAGE_BYTES}")
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise MalformedMessage(f"message is not JSON: {exc}") from None
        except RecursionError:
            raise MalformedMessage("message is nested too deeply") from None
    if not isinstance(raw, dict):
        raise MalformedMessage(f"message must be a JSON object, got {type(raw).__name__}")
    try:
        size = len(json.dumps(raw, default=str))
    except RecursionError:
        raise MalformedMessage("message is nested too deeply") from None
    if size > MAX_MESSAGE_BYTES:
        raise MalformedMessage(f"message is {size} bytes, limit {MAX_MESSAGE_BYTES}")
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise MalformedMessage("invalid envelope: " + describe_validation_error(exc)) from None
    try:
        cls = payload_class(envelope.type)
    except UnknownMessageType as exc:
        raise MalformedMessage(str(exc)) from None
    data = _as_read(cls, envelope, service)
    try:
        payload = cls.model_validate(data)
    except ValidationError as exc:
        arrived = envelope.schema_version
        lifted = f" (upcast from version {arrived})" if arrived != cls.schema_version else ""
        raise MalformedMessage(
            f"invalid {envelope.type} payload{lifted}: "
            + describe_validation_error(exc, "payload.")
        ) from None
    return Message(envelope=envelope, payload=payload)


def _as_read(cls: type[Payload], envelope: Envelope, service: str | None) -> dict[str, Any]:
    """The envelope's payload dict at the reader's version (upcast if it came older)."""
    arrived = envelope.schema_version
    try:
        return upcast(cls, arrived, envelope.payload)
    except VersionNotReadable as exc:
        if arrived > cls.schema_version:
            upgrade = UPGRADE.format(service=service or "SERVICE")
            raise MalformedMessage(f"{exc}: {upgrade}") from None
        raise MalformedMessage(str(exc)) from None
    except Exception as exc:  # an upcaster that fails on this payload: parked, never lost
        raise MalformedMessage(
            f"{envelope.type} schema version {arrived} cannot be upcast to "
            f"{cls.schema_version}: {exc!r}"
        ) from None
