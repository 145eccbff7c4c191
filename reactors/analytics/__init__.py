"""Analytics reactor: one fact per finished order or return; orders and revenue, refunds
and refunded money per day."""

from messaging.reactors import Reactor

REACTOR = Reactor.in_package(
    "analytics",
    "reactors.analytics",
    {"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"},
    migrations=True,
)
