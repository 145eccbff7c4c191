"""Analytics reactor: one fact per finished order, revenue and orders per day."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="analytics",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="reactors.analytics.handler:build",
    tables="reactors.analytics.store:metadata",
    tasks="reactors.analytics.tasks:register",
)
