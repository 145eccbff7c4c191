"""The payment store's schema: the shared tables, and its own (``payment`` branch)."""

from messaging.schema import Branch, StoreSchema
from participants.payment import store

SCHEMA = StoreSchema.of("payment", Branch.in_package("payment", __name__, store.metadata))
