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

import inspect
import re
from typing import Any

from pydantic.fields import FieldInfo

from devtools.doc_sections import DOCS, GeneratedSection
from messaging.contracts.read_models import READ_MODELS, ReadModel

DOCUMENT = DOCS / "task-api.md"
REGENERATE = "python -m devtools.docs_task_api"


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


def body() -> str:
    return "\n".join(line for model in READ_MODELS for line in model_section(model))


SECTION = GeneratedSection(DOCUMENT, "read-models", REGENERATE, body)


def rewritten(document: str) -> str:
    return SECTION.rewritten(document)


def main(argv: list[str] | None = None) -> int:
    return SECTION.main(argv, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    raise SystemExit(main())
