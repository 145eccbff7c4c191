"""Saga definitions, one folder each: what a client submits (``input``), what the saga
tells the world when it ends (``events``) and its steps (``definition``).

The orchestrator discovers every folder here (and any package registered under the
``saga_platform.sagas`` entry-point group); reactors and clients may read ``input`` and
``events``, which depend only on the shared contracts.
"""
