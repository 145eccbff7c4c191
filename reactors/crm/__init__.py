"""CRM reactor: upserts the customer and appends each order to their history."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="crm",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="reactors.crm.handler:build",
    tables="reactors.crm.store:metadata",
    tasks="reactors.crm.tasks:register",
)
