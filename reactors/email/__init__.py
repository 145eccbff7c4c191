"""Email reactor: an order confirmation or a cancellation notice to the customer, and
when a return ends, a refund notice or why the return was rejected."""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="email",
    events=frozenset({"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"}),
    handler="reactors.email.handler:build",
    tables="reactors.email.store:metadata",
    tasks="reactors.email.tasks:register",
)
