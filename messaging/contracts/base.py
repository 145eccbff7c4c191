"""Base of every message payload: a frozen, validated schema with a type name and version."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class MessageKind(StrEnum):
    COMMAND = "command"  # intent, imperative name, exactly one handler
    REPLY = "reply"  # a participant's answer to one command, past tense
    EVENT = "event"  # a domain fact, past tense, any number of subscribers


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    kind: ClassVar[MessageKind]
