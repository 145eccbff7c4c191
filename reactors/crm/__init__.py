"""CRM reactor: upserts the customer and appends each order and each return to their
history; a refund lowers their lifetime value."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="crm",
    events=frozenset({"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"}),
    handler="reactors.crm.handler:build",
    tables="reactors.crm.store:metadata",
    tasks="reactors.crm.tasks:register",
)
