"""A made-up event at three schema versions, as one codebase would hold it at each stage of
its life (test-only: none is in the catalog unless a test puts it there).

- version 1: ``{parcel_id, grams}``;
- version 2 renames ``grams`` to ``weight_grams`` and adds ``scale`` (the upcaster fills
  in ``"unknown"``; the downcaster drops it);
- version 3 nests both under ``weight``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from messaging import versions
from messaging.contracts import Catalog, MessageKind, Payload, catalog
from messaging.contracts.base import Casters

# the module (the package's attribute ``catalog`` is the function of the same name)
catalog_module = importlib.import_module("messaging.contracts.catalog")

PayloadDict = dict[str, Any]


def one_to_two(data: PayloadDict) -> PayloadDict:
    rest = {k: v for k, v in data.items() if k != "grams"}
    return {**rest, "weight_grams": data["grams"], "scale": "unknown"}


def two_to_one(data: PayloadDict) -> PayloadDict:
    rest = {k: v for k, v in data.items() if k not in ("weight_grams", "scale")}
    return {**rest, "grams": data["weight_grams"]}


def two_to_three(data: PayloadDict) -> PayloadDict:
    weight = {"grams": data["weight_grams"], "scale": data["scale"]}
    return {"parcel_id": data["parcel_id"], "weight": weight}


def three_to_two(data: PayloadDict) -> PayloadDict:
    weight = data["weight"]
    grams, scale = weight["grams"], weight["scale"]
    return {"parcel_id": data["parcel_id"], "weight_grams": grams, "scale": scale}


class ParcelWeighedV1(Payload):
    message_type: ClassVar[str] = "ParcelWeighed"
    kind: ClassVar[MessageKind] = MessageKind.EVENT

    parcel_id: str
    grams: int


class ParcelWeighedV2(Payload):
    message_type: ClassVar[str] = "ParcelWeighed"
    schema_version: ClassVar[int] = 2
    kind: ClassVar[MessageKind] = MessageKind.EVENT
    upcasters: ClassVar[Casters] = {1: one_to_two}
    downcasters: ClassVar[Casters] = {1: two_to_one}
    changes: ClassVar[Mapping[int, str]] = {2: "`grams` renamed `weight_grams`; `scale` added"}

    parcel_id: str
    weight_grams: int
    scale: str


class Weight(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grams: int
    scale: str


class ParcelWeighedV3(Payload):
    message_type: ClassVar[str] = "ParcelWeighed"
    schema_version: ClassVar[int] = 3
    kind: ClassVar[MessageKind] = MessageKind.EVENT
    upcasters: ClassVar[Casters] = {1: one_to_two, 2: two_to_three}
    downcasters: ClassVar[Casters] = {1: two_to_one, 2: three_to_two}
    changes: ClassVar[Mapping[int, str]] = {
        **ParcelWeighedV2.changes,
        3: "`weight_grams` and `scale` nested in `weight`",
    }

    parcel_id: str
    weight: Weight


class ParcelWeighedV3FromTwo(ParcelWeighedV3):
    """Version 3 that reads version 2 but no longer version 1, and writes only 3."""

    upcasters: ClassVar[Casters] = {2: two_to_three}
    downcasters: ClassVar[Casters] = {}


@contextmanager
def cataloged(cls: type[Payload]) -> Iterator[Catalog]:
    """The process's catalog with ``cls`` in it, for as long as the block runs: this
    process's "deployed" version of ParcelWeighed."""
    known = Catalog([*catalog().types.values(), cls])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog_module, "catalog", lambda: known)  # decode's
        patch.setattr(versions, "catalog", lambda: known)  # the emit setting's
        yield known
