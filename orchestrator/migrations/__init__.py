"""The orchestrator store's schema: the shared tables, and its own under Alembic
(``orchestrator`` branch: sagas, history, the event log and the dispatcher's tables)."""

from messaging.schema import Branch, StoreSchema
from orchestrator import event_tables
from orchestrator.saga_store import tables

SCHEMA = StoreSchema.of(
    "orchestrator",
    Branch.in_package("orchestrator", __name__, tables.metadata, event_tables.metadata),
)
