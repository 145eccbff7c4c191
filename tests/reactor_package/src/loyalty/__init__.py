"""Loyalty reactor: points for every confirmed order, a zero line for a cancelled one.

Only the reactor's own worker imports this module: keep it light all the same.
"""

from messaging.reactors import Reactor

REACTOR = Reactor(
    name="loyalty",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="loyalty.handler:build",
    tables="loyalty.store:metadata",
    tasks="loyalty.tasks:register",
    max_attempts=8,
)

# The same code under a second name, reading the whole history when it first starts.
LEDGER = Reactor(
    name="loyalty_ledger",
    events=frozenset({"OrderConfirmed", "OrderCancelled"}),
    handler="loyalty.handler:build",
    tables="loyalty.store:metadata",
    tasks="loyalty.tasks:register",
    start="earliest",
)
