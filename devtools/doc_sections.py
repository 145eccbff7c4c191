"""A section of a document generated from code: the text between ``<!-- NAME -->`` and
``<!-- /NAME -->`` is rewritten from a generator and checked against it, so that a test can
fail while the two differ (devtools/docs_task_api.py, devtools/docs_message_versions.py).

    python -m devtools.docs_<x>            # rewrite the section
    python -m devtools.docs_<x> --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


@dataclass(frozen=True)
class GeneratedSection:
    """The section ``marker`` of ``document``, whose body ``generate`` writes; the command
    ``regenerate`` rewrites it."""

    document: Path
    marker: str
    regenerate: str
    generate: Callable[[], str]

    @property
    def pattern(self) -> re.Pattern[str]:
        name = re.escape(self.marker)
        return re.compile(rf"<!-- {name} -->\n.*?<!-- /{name} -->", re.S)

    def section(self) -> str:
        """The whole section, markers included."""
        return f"<!-- {self.marker} -->\n{self.generate()}\n<!-- /{self.marker} -->"

    def rewritten(self, document: str) -> str:
        if not self.pattern.search(document):
            raise SystemExit(f"{self.document} has no <!-- {self.marker} --> section")
        return self.pattern.sub(lambda _m: self.section(), document)

    def stale(self) -> bool:
        text = self.document.read_text(encoding="utf-8")
        return self.rewritten(text) != text

    def main(self, argv: list[str] | None, description: str) -> int:
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
        args = parser.parse_args(argv)
        if args.check:
            if self.stale():
                print(f"{self.document} is out of date: run {self.regenerate}", file=sys.stderr)
                return 1
            return 0
        text = self.document.read_text(encoding="utf-8")
        self.document.write_text(self.rewritten(text), encoding="utf-8")
        return 0
