"""Where sagas are stored, one module per kind of thing it holds:

- ``tables``: the saga tables (``sagas``, ``saga_history``) and their ``metadata``;
- ``rows``: a ``SagaState`` as a row and back, the row lock, and what one transition
  writes (row, history, event log);
- ``reads``: queries that answer the task API and the sweeper (``find``, ``listing``,
  ``counts``, ``due``, ``stuck``), returning the read models of
  ``messaging.contracts.read_models``;
- ``actions``: what changes a saga in one transaction: start, a reply, a deadline, an
  operator's retry, cancel or decision.

The event log and the subscriptions are the event dispatcher's (``orchestrator.event_tables``).
"""
