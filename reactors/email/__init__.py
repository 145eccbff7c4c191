"""Email reactor: an order confirmation or a cancellation notice to the customer, and
when a return ends, a refund notice or why the return was rejected."""

from messaging.reactors import Reactor

REACTOR = Reactor.in_package(
    "email",
    "reactors.email",
    {"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"},
    migrations=True,
)
