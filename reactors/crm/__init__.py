"""CRM reactor: upserts the customer and appends each order and each return to their
history; a refund lowers their lifetime value."""

from messaging.reactors import Reactor

REACTOR = Reactor.in_package(
    "crm",
    "reactors.crm",
    {"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"},
    migrations=True,
)
