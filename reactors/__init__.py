"""Choreographed reactors: independent side effects of domain events (email, analytics,
CRM). Each is declared in its package's ``__init__`` and registered in the
``saga_platform.reactors`` entry-point group; see docs/adding-a-reactor.md."""
