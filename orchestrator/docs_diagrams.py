"""The saga diagrams in docs/architecture.md, generated from the definitions.

Between ``<!-- diagrams -->`` and ``<!-- /diagrams -->`` the document holds, for every
definition version ``saga_registry.gather_versions()`` finds (as written, before
SAGA_POLICY_SCALE), by label (``checkout@2``), a
heading and its ``diagram.mermaid`` between ``<!-- diagram:NAME -->`` and
``<!-- /diagram:NAME -->``. Never edit them by hand: change the definition, then

    python -m orchestrator.docs_diagrams            # rewrite the section (make diagrams)
    python -m orchestrator.docs_diagrams --check    # exit 1 if it is out of date

tests/unit/test_docs_diagrams.py fails while the document and the definitions differ.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from orchestrator import saga_registry
from orchestrator.definition import SagaDefinition
from orchestrator.diagram import mermaid

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
REGENERATE = "python -m orchestrator.docs_diagrams"
SECTION = re.compile(r"<!-- diagrams -->\n.*?<!-- /diagrams -->", re.S)
DIAGRAM = re.compile(
    r"<!-- diagram:(?P<name>[\w.@-]+) -->\n```mermaid\n(?P<text>.*?)```\n"
    r"<!-- /diagram:(?P=name) -->",
    re.S,
)


def embedded(document: str) -> dict[str, str]:
    """Definition name -> the Mermaid text the document holds for it."""
    return {found["name"]: found["text"] for found in DIAGRAM.finditer(document)}


def section(definitions: Mapping[str, SagaDefinition]) -> str:
    """The generated section: per definition, a heading, the first line of its
    description, and its diagram."""
    parts = ["<!-- diagrams -->"]
    for name, definition in sorted(definitions.items()):
        summary = next(iter(definition.description.strip().splitlines()), "")
        parts += [
            f"### {name}",
            "",
            *([summary, ""] if summary else []),
            f"<!-- diagram:{name} -->",
            "```mermaid",
            mermaid(definition).rstrip("\n"),
            "```",
            f"<!-- /diagram:{name} -->",
            "",
        ]
    parts.append("<!-- /diagrams -->")
    return "\n".join(parts)


def drawn() -> dict[str, SagaDefinition]:
    """Every registered version of every definition, by label (``checkout@2``): the old
    versions run until their sagas end, so their paths stay documented."""
    return {d.label: d for d in saga_registry.gather_versions().values()}


def rewritten(document: str, definitions: Mapping[str, SagaDefinition]) -> str:
    if not SECTION.search(document):
        raise ValueError("the document has no <!-- diagrams --> ... <!-- /diagrams --> section")
    return SECTION.sub(lambda _: section(definitions), document, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    args = parser.parse_args(argv)
    before = args.document.read_text(encoding="utf-8")
    after = rewritten(before, drawn())
    if after == before:
        print(f"{args.document}: the diagrams are current")
        return 0
    if args.check:
        print(f"{args.document}: the diagrams are out of date; run {REGENERATE}", file=sys.stderr)
        return 1
    args.document.write_text(after, encoding="utf-8")
    print(f"{args.document}: diagrams rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
