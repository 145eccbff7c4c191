"""A definition's version is a whole number from 1 (1 unless given), and its label is
``name@version``."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.definition import SagaDefinition
from tests.unit.party_saga import step


def test_the_version_is_1_unless_given_and_labels_the_definition() -> None:
    assert SagaDefinition(name="parcel", steps=(step("a"),)).label == "parcel@1"
    assert SagaDefinition(name="parcel", steps=(step("a"),), version=3).label == "parcel@3"


@pytest.mark.parametrize("version", [0, -1, 1.0, "2", True])
def test_anything_but_a_whole_number_from_1_is_refused(version: Any) -> None:
    with pytest.raises(ValueError, match=r"saga 'parcel': version must be"):
        SagaDefinition(name="parcel", steps=(step("a"),), version=version)
