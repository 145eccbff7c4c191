"""docs/architecture.md embeds, for every saga definition, the diagram generated from it:
a definition changed without regenerating the docs fails here, saying how to fix it."""

from __future__ import annotations

import pytest

from orchestrator import docs_diagrams
from orchestrator.diagram import mermaid
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT

REGENERATE = (
    f"run `{docs_diagrams.REGENERATE}` (or `make diagrams`) and commit docs/architecture.md"
)


def _document() -> str:
    return docs_diagrams.DOCUMENT.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(docs_diagrams.drawn()))
def test_the_docs_embed_the_diagram_each_definition_generates(name: str) -> None:
    embedded = docs_diagrams.embedded(_document())

    assert name in embedded, f"docs/architecture.md has no diagram of {name!r}: {REGENERATE}"
    assert embedded[name] == mermaid(docs_diagrams.drawn()[name]), (
        f"the diagram of {name!r} in docs/architecture.md differs from what"
        f" orchestrator.diagram.mermaid generates from its definition: {REGENERATE}"
    )


def test_the_docs_draw_no_definition_that_is_gone() -> None:
    gone = set(docs_diagrams.embedded(_document())) - set(docs_diagrams.drawn())
    assert not gone, f"docs/architecture.md draws {sorted(gone)}, defined nowhere: {REGENERATE}"


def test_the_whole_section_is_what_the_generator_writes() -> None:
    document = _document()
    assert docs_diagrams.rewritten(document, docs_diagrams.drawn()) == document, REGENERATE


def test_rewriting_replaces_the_section_and_leaves_the_rest() -> None:
    document = "# Title\n\ntext\n\n<!-- diagrams -->\nstale\n<!-- /diagrams -->\n\nafter\n"
    written = docs_diagrams.rewritten(document, {"checkout": CHECKOUT})

    assert written.startswith("# Title\n\ntext\n\n<!-- diagrams -->\n### checkout\n")
    assert written.endswith("<!-- /diagram:checkout -->\n\n<!-- /diagrams -->\n\nafter\n")
    assert docs_diagrams.embedded(written) == {"checkout": mermaid(CHECKOUT)}
    assert docs_diagrams.rewritten(written, {"checkout": CHECKOUT}) == written
    with pytest.raises(ValueError, match="no <!-- diagrams -->"):
        docs_diagrams.rewritten("# no section\n", {"checkout": CHECKOUT})


def test_check_mode_says_how_to_regenerate(tmp_path, capsys) -> None:
    stale = tmp_path / "architecture.md"
    stale.write_text("<!-- diagrams -->\n<!-- /diagrams -->\n", encoding="utf-8")

    assert docs_diagrams.main(["--check", "--document", str(stale)]) == 1
    assert f"out of date; run {docs_diagrams.REGENERATE}" in capsys.readouterr().err
    assert docs_diagrams.main(["--document", str(stale)]) == 0
    assert docs_diagrams.main(["--check", "--document", str(stale)]) == 0
    assert "<!-- diagram:checkout@2 -->" in stale.read_text(encoding="utf-8")
