"""docs/events.md lists every type of the catalog with its versions and what each changed,
as generated from the payload classes: a class changed without regenerating the table
fails here, saying how to fix it."""

from __future__ import annotations

from devtools import docs_message_versions
from tests.versioned_messages import ParcelWeighedV1, ParcelWeighedV3, ParcelWeighedV3FromTwo


def test_the_docs_hold_the_table_the_catalog_generates() -> None:
    document = docs_message_versions.DOCUMENT.read_text(encoding="utf-8")

    assert docs_message_versions.rewritten(document) == document, (
        "docs/events.md's versions table differs from the catalog: run "
        f"`{docs_message_versions.REGENERATE}` (or `make message-versions`) and commit it"
    )


def test_a_type_at_its_first_version_says_so() -> None:
    assert docs_message_versions.row(ParcelWeighedV1) == (
        "| `ParcelWeighed` | 1 | 1: the first version |"
    )


def test_a_later_version_lists_what_it_reads_and_writes_and_each_change() -> None:
    assert docs_message_versions.row(ParcelWeighedV3) == (
        "| `ParcelWeighed` | 3 (reads 1, 2 too; can write 1, 2) | 1: the first version; "
        "2: `grams` renamed `weight_grams`; `scale` added; "
        "3: `weight_grams` and `scale` nested in `weight` |"
    )
    assert docs_message_versions.versions_cell(ParcelWeighedV3FromTwo) == "3 (reads 2 too)"
