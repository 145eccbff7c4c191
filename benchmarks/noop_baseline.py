"""Baseline (a), the ceiling: no-op tasks on the same broker, one worker, prefork -c 2.

celery -A benchmarks.noop_baseline worker -Q bench.noop -c 2
"""

from __future__ import annotations

from benchmarks.baseline_app import baseline_app
from benchmarks.settings import BASELINE_BROKER

QUEUE = "bench.noop"
app = baseline_app("bench-noop", BASELINE_BROKER)


@app.task(name="bench.noop")
def noop() -> None:
    return None
