"""The envelope every message travels in: identity, tracing ids and a typed payload."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from messaging.contracts.base import Payload
from messaging.contracts.versions import downcast

# No type written at an older version: every payload goes out at its class's version.
CURRENT: Mapping[str, int] = MappingProxyType({})


def new_message_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """Metadata common to commands, replies and domain events.

    ``causation_id`` is the id of the message that caused this one: a reply's
    causation id is the command's message id, which is how the orchestrator
    tells a current reply from a stale one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=100)
    schema_version: int = Field(ge=1)
    saga_id: str | None = Field(default=None, max_length=64)
    correlation_id: str = Field(min_length=1, max_length=64)
    causation_id: str | None = Field(default=None, max_length=64)
    occurred_at: datetime
    reply_to: str | None = Field(default=None, max_length=100)
    # The saga step a command belongs to; a reply carries its command's step.
    step: str | None = Field(default=None, max_length=100)
    # W3C trace context (traceparent, tracestate) of the span that wrote the message, kept
    # in the outbox so that a message the relay sends later is still in its saga's trace.
    trace_context: dict[str, str] | None = Field(default=None, max_length=4)
    payload: dict[str, Any]

    @classmethod
    def wrap(  # noqa: PLR0913 (each is an envelope field a sender may set)
        cls,
        payload: Payload,
        *,
        saga_id: str | None,
        correlation_id: str,
        causation_id: str | None = None,
        reply_to: str | None = None,
        message_id: str | None = None,
        step: str | None = None,
        trace_context: dict[str, str] | None = None,
        emit: Mapping[str, int] = CURRENT,
    ) -> Envelope:
        """``payload`` in a new envelope. ``emit`` names the types to write at an older
        version than their class's (a rollout, messaging/versions.py): such a payload is
        downcast, and the envelope carries that version."""
        version = emit.get(payload.message_type, payload.schema_version)
        body = payload.model_dump(mode="json")
        if version != payload.schema_version:
            body = downcast(type(payload), version, body)
        return cls(
            message_id=message_id or new_message_id(),
            type=payload.message_type,
            schema_version=version,
            saga_id=saga_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=utcnow(),
            reply_to=reply_to,
            step=step,
            trace_context=trace_context,
            payload=body,
        )

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
