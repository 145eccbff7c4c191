"""The shipping store's schema: the shared tables, and its own (``shipping`` branch)."""

from messaging.schema import Branch, StoreSchema
from participants.shipping import store

SCHEMA = StoreSchema.of("shipping", Branch.in_package("shipping", __name__, store.metadata))
