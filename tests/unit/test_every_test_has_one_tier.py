"""Every test of the suite has exactly one tier (tests/conftest.py): `make unit`, `make
service`, `make integration` select by marker, so a test without a tier would run in none of
them, and one with two in both."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from tests.conftest import TESTS, TIERS, pytest_collection_modifyitems


def test_every_test_of_the_suite_has_exactly_one_tier() -> None:
    """The whole suite collected, not run, in a process of its own: the tests with no tier
    or with two are selected, and there must be none."""
    two = " or ".join(f"({a} and {b})" for a, b in itertools.combinations(TIERS, 2))
    wrong = f"not ({' or '.join(TIERS)}) or {two}"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", wrong],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 5, done.stdout + done.stderr  # 5: no test selected
    assert "deselected" in done.stdout  # the suite was collected, then all deselected


@dataclass
class CollectedTest:
    """What the hook reads of a pytest item: its path and its markers."""

    path: Path
    markers: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> str | None:
        return name if name in self.markers else None

    def add_marker(self, name: str) -> None:
        self.markers.append(name)


@pytest.mark.parametrize(
    ("path", "marked", "tier"),
    [
        ("unit/test_x.py", [], ["unit"]),
        ("service/test_x.py", [], ["service"]),
        ("worker/test_x.py", [], ["worker"]),
        ("integration/test_x.py", [], ["integration"]),
        ("e2e/test_x.py", [], ["e2e"]),
        ("integration/test_on_a_store.py", ["service"], ["service"]),  # pytestmark wins
        ("integration/test_x.py", ["timeout"], ["timeout", "integration"]),  # not a tier
        ("test_x.py", [], []),  # in no tier's folder: the test above finds it
    ],
)
def test_a_test_gets_its_folders_tier_unless_it_is_marked_with_one(
    path: str, marked: list[str], tier: list[str]
) -> None:
    item = CollectedTest(TESTS / path, list(marked))

    pytest_collection_modifyitems(cast(Any, [item]))

    assert item.markers == tier
