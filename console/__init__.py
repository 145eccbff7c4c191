"""The operator's console: ``sagactl``, the saga web view and the formatting they share.

It reads the platform only through the task API (``saga_client.tasks``) and the shared
contracts; it imports no service. A worker image does not need it (extra ``[console]``).
"""
