"""A business rule's "no", shared by every participant's rules.

Inventory's out-of-stock, payment's declined card and shipping's refused destination are
one idea: the rule refuses, with a ``code`` for programs and a ``reason`` for people, and
the handler turns it into the failure reply of its command (whose ``code`` and ``reason``
fields carry the same two values to the saga). Failure is data, not an exception.

It lives here because ``messaging`` is the one package every participant may import
(they never import each other); it imports nothing, so the rules that use it still know
no transport and no database (the import-linter contract on domain modules).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str
