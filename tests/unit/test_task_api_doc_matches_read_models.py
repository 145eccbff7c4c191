"""docs/task-api.md lists every read model's fields as generated from
messaging/contracts/read_models.py: a model changed without regenerating the docs fails
here, saying how to fix it."""

from __future__ import annotations

import inspect

from devtools import docs_task_api
from messaging.contracts import read_models


def test_the_docs_hold_the_tables_the_read_models_generate() -> None:
    document = docs_task_api.DOCUMENT.read_text(encoding="utf-8")

    assert docs_task_api.rewritten(document) == document, (
        f"docs/task-api.md's read models differ from messaging/contracts/read_models.py: "
        f"run `{docs_task_api.REGENERATE}` (or `make task-api`) and commit the document"
    )


def test_every_read_model_of_the_module_is_listed() -> None:
    declared = {
        cls
        for _name, cls in inspect.getmembers(read_models, inspect.isclass)
        if issubclass(cls, read_models.ReadModel) and cls is not read_models.ReadModel
    }

    assert declared == set(read_models.READ_MODELS)


def test_a_field_is_documented_with_its_json_type_and_default() -> None:
    lines = docs_task_api.model_section(read_models.SagaSummary)

    assert (
        "| `deadline` | ISO 8601 time or None | default `None` | when the sweeper acts |" in lines
    )
    assert "| `saga_id` | str | required |  |" in lines
