"""``python -m orchestrator.cli``: the same as ``sagactl``."""

from orchestrator.cli import main

raise SystemExit(main())
