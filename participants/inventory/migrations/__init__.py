"""The inventory store's schema: the shared tables, and its own (``inventory`` branch)."""

from messaging.schema import Branch, StoreSchema
from participants.inventory import store

SCHEMA = StoreSchema.of("inventory", Branch.in_package("inventory", __name__, store.metadata))
