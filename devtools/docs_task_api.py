"""The read models' section of docs/task-api.md, generated from
messaging/contracts/read_models.py.

Between ``<!-- read-models -->`` and ``<!-- /read-models -->`` the document holds, for
each model of ``READ_MODELS``, a heading, its docstring and a table of its fields (name,
JSON type, required or default, description). Never edit it by hand: change the model,
then

    python -m devtools.docs_task_api            # rewrite the section (make task-api)
    python -m devtools.docs_task_api --check    # exit 1 if it is out of date

tests/unit/test_task_api_doc_matches_read_models.py fails while they differ.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from messaging.contracts.read_models import READ_MODELS, ReadModel

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "task-api.md"
REGENERATE = "python -m devtools.docs_task_api"
SECTION = re.compile(r"<!-- read-models -->\n.*?<!-- /read-models -->", re.S)


def type_name(annotation: Any) -> str:
    """A field's type as the JSON carries it: ``datetime`` is an ISO 8601 string."""
    text = str(annotation) if not isinstance(annotation, type) else annotation.__name__
    text = re.sub(r"\b(typing|datetime|messaging\.contracts\.read_models)\.", "", text)
    return text.replace("NoneType", "None").replace("datetime", "ISO 8601 time")


def default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return f"default `{field.default_factory()!r}`"  # type: ignore[call-arg]
    return f"default `{field.default!r}`"


def model_section(model: type[ReadModel]) -> list[str]:
    lines = [f"### {model.__name__}", "", inspect.cleandoc(model.__doc__ or ""), ""]
    lines += ["| field | type | | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        kind = type_name(field.annotation).replace("|", "or")
        lines.append(f"| `{name}` | {kind} | {default(field)} | {field.description or ''} |")
    return [*lines, ""]


def section() -> str:
    parts = ["<!-- read-models -->"]
    for model in READ_MODELS:
        parts += model_section(model)
    parts.append("<!-- /read-models -->")
    return "\n".join(parts)


def rewritten(document: str) -> str:
    if not SECTION.search(document):
        raise SystemExit(f"{DOCUMENT} has no <!-- read-models --> section")
    return SECTION.sub(lambda _m: section(), document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
    args = parser.parse_args(argv)
    document = DOCUMENT.read_text(encoding="utf-8")
    if args.check:
        if rewritten(document) != document:
            print(f"{DOCUMENT} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(rewritten(document), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
