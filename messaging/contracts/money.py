"""Amounts as people read them. Every amount in the contracts is whole cents with an ISO
4217 currency code; this is the one place that turns them into text (emails, the CRM's
history, analytics' trail, sagactl, the web view, the demo)."""

from __future__ import annotations


def format_money(cents: int, currency: str) -> str:
    """``123456`` cents as ``1,234.56 EUR``, ``-250`` as ``-2.50 EUR`` (exact: no float)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{rest:02d} {currency}"
