"""The fraud store's schema: the shared tables, and its own (``fraud`` branch)."""

from messaging.schema import Branch, StoreSchema
from participants.fraud import store

SCHEMA = StoreSchema.of("fraud", Branch.in_package("fraud", __name__, store.metadata))
