"""Versions of a payload: which older versions a reader can turn into its own (upcasters),
and which older versions a writer can emit (downcasters). Pure functions of plain dicts:
no transport, no settings (docs/events.md#versions).

A payload class at ``schema_version = 3`` may declare

- ``upcasters = {1: one_to_two, 2: two_to_three}``: ``upcasters[n]`` turns a version-n
  payload dict into a version n + 1 dict; chained, they lift any older version they reach;
- ``downcasters = {2: three_to_two}``: ``downcasters[n]`` turns a version n + 1 payload
  dict into a version-n dict, so a sender can write version 2 while old readers remain;
- ``changes = {2: "...", 3: "..."}``: what each version changed, for the docs.
"""

from __future__ import annotations

import copy
from typing import Any

from messaging.contracts.base import Payload

PayloadDict = dict[str, Any]


class VersionNotReadable(ValueError):
    """An envelope's version that this reader cannot turn into its own."""


class VersionNotWritable(ValueError):
    """A version this writer cannot emit: no downcaster path to it."""


def readable(cls: type[Payload]) -> tuple[int, ...]:
    """Every version ``cls`` reads: its own and each older one its upcasters reach."""
    versions = [cls.schema_version]
    version = cls.schema_version - 1
    while version >= 1 and version in cls.upcasters:
        versions.append(version)
        version -= 1
    return tuple(sorted(versions))


def writable(cls: type[Payload]) -> tuple[int, ...]:
    """Every version ``cls`` can emit: its own and each older one its downcasters reach."""
    versions = [cls.schema_version]
    version = cls.schema_version - 1
    while version >= 1 and version in cls.downcasters:
        versions.append(version)
        version -= 1
    return tuple(sorted(versions))


def listed(versions: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in versions)


def upcast(cls: type[Payload], version: int, data: PayloadDict) -> PayloadDict:
    """A version-``version`` payload dict of ``cls`` as a dict of ``cls.schema_version``."""
    current = cls.schema_version
    if version > current:
        raise VersionNotReadable(
            f"{cls.message_type} schema version {version} is newer than this service "
            f"reads ({current})"
        )
    if version not in readable(cls):
        raise VersionNotReadable(
            f"{cls.message_type} schema version {version} is not supported "
            f"(this service reads versions {listed(readable(cls))})"
        )
    data = copy.deepcopy(data)  # the envelope keeps the payload as it arrived
    for step in range(version, current):
        data = cls.upcasters[step](data)
    return data


def downcast(cls: type[Payload], version: int, data: PayloadDict) -> PayloadDict:
    """A payload dict of ``cls.schema_version`` as a version-``version`` dict."""
    if version not in writable(cls):
        raise VersionNotWritable(
            f"{cls.message_type} cannot be written at schema version {version} "
            f"(this service writes versions {listed(writable(cls))})"
        )
    data = copy.deepcopy(data)
    for step in range(cls.schema_version - 1, version - 1, -1):
        data = cls.downcasters[step](data)
    return data
