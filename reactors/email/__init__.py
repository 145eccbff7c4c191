"""Email reactor: an order confirmation, or a cancellation notice, to the customer."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="email",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="reactors.email.handler:build",
    tables="reactors.email.store:metadata",
    tasks="reactors.email.tasks:register",
)
