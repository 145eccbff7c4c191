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

# Checkout version 2: the reservation and the screening go out together, and their replies
# are applied in whichever order they come.
HAPPY_PATH_KINDS_V2 = (
    "started",
    "command_sent",  # ReserveInventory
    "command_sent",  # ScreenOrder
    "reply_applied",
    "reply_applied",
    "command_sent",  # ChargePayment
    "reply_applied",
    "command_sent",  # CreateShipment
    "reply_applied",
    "completed",
)
