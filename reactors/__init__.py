"""Choreographed reactors (email, analytics, CRM) that act on domain events.

Not built yet: see issue 3. The orchestrator already records OrderConfirmed and
OrderCancelled in its event log, in the transaction that ends each saga.
"""
