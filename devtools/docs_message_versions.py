"""The versions table of docs/events.md, generated from the message catalog.

Between ``<!-- message-versions -->`` and ``<!-- /message-versions -->`` the document holds
one row per type of the catalog: its name, the version it is written at, the older
versions it reads (upcasters) and can be written at (downcasters), and what each version
changed (the class's ``changes``). Never edit it by hand: change the payload class, then

    python -m devtools.docs_message_versions            # rewrite it (make message-versions)
    python -m devtools.docs_message_versions --check    # exit 1 if it is out of date

tests/unit/test_events_doc_lists_every_types_versions.py fails while they differ.
"""

from __future__ import annotations

from devtools.doc_sections import DOCS, GeneratedSection
from messaging.contracts import Catalog, Payload, catalog
from messaging.contracts.versions import listed, readable, writable

DOCUMENT = DOCS / "events.md"
REGENERATE = "python -m devtools.docs_message_versions"
FIRST = "the first version"


def versions_cell(cls: type[Payload]) -> str:
    current = cls.schema_version
    older_read = readable(cls)[:-1]
    older_written = writable(cls)[:-1]
    parts = []
    if older_read:
        parts.append(f"reads {listed(older_read)} too")
    if older_written:
        parts.append(f"can write {listed(older_written)}")
    return f"{current} ({'; '.join(parts)})" if parts else str(current)


def changes_cell(cls: type[Payload]) -> str:
    changes = {1: FIRST, **cls.changes}
    return "; ".join(f"{v}: {changes[v]}" for v in sorted(changes) if v <= cls.schema_version)


def row(cls: type[Payload]) -> str:
    return f"| `{cls.message_type}` | {versions_cell(cls)} | {changes_cell(cls)} |"


def table(known: Catalog) -> str:
    lines = ["| type | versions | what changed |", "|---|---|---|"]
    lines += [row(known.types[name]) for name in sorted(known.types)]
    return "\n".join(lines)


SECTION = GeneratedSection(DOCUMENT, "message-versions", REGENERATE, lambda: table(catalog()))


def rewritten(document: str) -> str:
    return SECTION.rewritten(document)


def main(argv: list[str] | None = None) -> int:
    return SECTION.main(argv, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    raise SystemExit(main())
