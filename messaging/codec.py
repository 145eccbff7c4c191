"""Turns what arrived on a queue into a validated message, or says exactly why it cannot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from messaging.contracts import Envelope, Payload, UnknownMessageType, payload_class

MAX_MESSAGE_BYTES = 64 * 1024

# Covariant: a message of ChargePayment is a message of Payload (it is frozen).
P_co = TypeVar("P_co", bound=Payload, covariant=True)


class MalformedMessage(ValueError):
    """The message cannot be handled: unknown type, wrong version or schema violation."""


@dataclass(frozen=True)
class Message(Generic[P_co]):
    envelope: Envelope
    payload: P_co

    @property
    def type(self) -> str:
        return self.envelope.type


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{prefix}{location}: {error['msg']}")
    return "; ".join(parts)


def decode(raw: Any) -> Message[Payload]:
    """Validate an envelope and its payload. Raises MalformedMessage with a readable reason."""
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
    if envelope.schema_version != cls.schema_version:
        raise MalformedMessage(
            f"{envelope.type} schema version {envelope.schema_version} is not supported "
            f"(this service reads version {cls.schema_version})"
        )
    try:
        payload = cls.model_validate(envelope.payload)
    except ValidationError as exc:
        raise MalformedMessage(
            f"invalid {envelope.type} payload: " + describe_validation_error(exc, "payload.")
        ) from None
    return Message(envelope=envelope, payload=payload)
