"""Where a message goes: every service consumes one queue through one task."""

from __future__ import annotations

ORCHESTRATOR = "orchestrator"


def inbound_task(service: str) -> str:
    """The task that receives every command or reply sent to ``service``."""
    return f"{service}.handle_message"
