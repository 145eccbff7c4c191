"""Pictures and text of a saga definition, generated from the definition itself so that
they cannot drift from what runs.

``mermaid(definition, position=None)`` is a Mermaid flowchart: the admission, each step
(service and command), parallel stages as a fork and a join, failure edges into the
compensation chain (reverse order, dashed), and the two ends with the events they record.
Given a saga's ``Position`` it marks where that saga is (``classDef current``). The web
view shows it on each saga's page; docs/architecture.md embeds one per definition
(``python -m orchestrator.docs_diagrams`` rewrites them). ``describe(definition)`` says the
same in plain text, with the retry policies, for ``sagactl describe``.

Pure: no Celery, no database. Node ids come from step names, so the same definition
always gives the same text.

The chart (``chart``) and the text (``text``) are two renderings of one definition; the
words they share (message names, events, durations) are in ``words``.
"""

from __future__ import annotations

from .chart import CLASSES, Position, mermaid
from .text import describe, policy_text
from .words import message_name, seconds

__all__ = ["CLASSES", "Position", "describe", "mermaid", "message_name", "policy_text", "seconds"]
