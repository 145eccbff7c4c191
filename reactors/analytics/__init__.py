"""Analytics reactor: one fact per finished order or return; orders and revenue, refunds
and refunded money per day."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="analytics",
    events=frozenset({"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"}),
    handler="reactors.analytics.handler:build",
    tables="reactors.analytics.store:metadata",
    tasks="reactors.analytics.tasks:register",
)
