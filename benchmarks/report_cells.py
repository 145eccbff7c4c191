"""The cells of the figures table (benchmarks/report.py): a figure as text, a ratio of two,
and a target met or not."""

from __future__ import annotations

import math

Row = tuple[str, str, str, str, str]


def figure(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "x":  # a ratio: its verdict may hang on the second decimal (0.28x < 0.3x)
        return f"{value:.2f}x"
    return f"{value:,.1f}{unit}" if abs(value) < 1000 else f"{value:,.0f}{unit}"


def ratio_of(value: float | None, base: float | None) -> float | None:
    if not value or not base or math.isnan(value) or math.isnan(base):
        return None
    return value / base


def meets(ok: bool | None, text: str) -> str:
    verdict = "n/a" if ok is None else ("met" if ok else "NOT met")
    return f"{text}: {verdict}"
