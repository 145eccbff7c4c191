"""Base of every message payload: a frozen, validated schema with a type name and version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class MessageKind(StrEnum):
    COMMAND = "command"  # intent, imperative name, exactly one handler
    REPLY = "reply"  # a participant's answer to one command, past tense
    EVENT = "event"  # a domain fact, past tense, any number of subscribers


# One step between two versions of a payload, as plain JSON dicts (contracts/versions.py).
Caster = Callable[[dict[str, Any]], dict[str, Any]]
Casters = Mapping[int, Caster]
NONE: Casters = MappingProxyType({})


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    kind: ClassVar[MessageKind]
    # Older versions: upcasters[n] turns a version-n payload dict into a version n + 1
    # dict, downcasters[n] a version n + 1 dict into a version-n one; changes[n] says what
    # version n changed (messaging/contracts/versions.py, docs/events.md#versions).
    upcasters: ClassVar[Casters] = NONE
    downcasters: ClassVar[Casters] = NONE
    changes: ClassVar[Mapping[int, str]] = MappingProxyType({})
