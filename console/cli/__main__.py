"""``python -m console.cli``: the same as ``sagactl``."""

from console.cli import main

raise SystemExit(main())
