"""Percentiles and rates from lists of timestamps."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": float(len(ms)),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else float("nan"),
    }


def batch_rate(submitted: Sequence[float], done: Sequence[float]) -> float:
    """Items per second of one burst: all of them, from the first submit to the last done.
    Includes filling and draining the pipeline, so it never flatters."""
    if not done:
        return 0.0
    return len(done) / max(1e-9, max(done) - min(submitted))
