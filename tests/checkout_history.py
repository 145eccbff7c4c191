"""What a checkout's history records down its happy path, entry kind by entry kind: the
pure engine's transitions (tests/unit) and a saga on real workers (tests/integration) must
both show it."""

from __future__ import annotations

HAPPY_PATH_KINDS = (
    "started",
    "command_sent",  # ReserveInventory
    "reply_applied",
    "command_sent",  # ChargePayment
    "reply_applied",
    "command_sent",  # CreateShipment
    "reply_applied",
    "completed",
)
