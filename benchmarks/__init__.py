"""Benchmarks of the saga platform against baselines on the same broker, in the same run.

    python -m benchmarks          # quick mode, under 3 minutes (make bench)
    python -m benchmarks --long   # longer windows, 100,000 seeded sagas (make bench-long)

See docs/benchmarks.md.
"""
