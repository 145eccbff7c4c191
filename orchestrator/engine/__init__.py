"""The saga state machine: pure functions from (definition, state, input, now) to a
transition. Inputs are a reply, a due deadline, or an operator's retry or cancel.

Steps run in stages (``SagaDefinition.stages``): a step alone, awaited through the scalar
fields of the state, or a group whose commands are all in flight at once, one ``Flight``
each. A group goes on when every member has answered; a failure in it is undone only then,
because a member still in flight may yet commit.

No I/O here. The caller persists the new state, the outgoing commands (outbox), the
domain events and the history entries in one transaction.

What callers use is exported here; the modules hold one idea each: ``state`` (a saga's
state), ``transition`` (what a transition yields; ids and time given), ``commands`` (what
is sent and its history line), ``stages`` (the start and going forward: a step alone, a
parallel stage, completion), ``replies``, ``compensation`` (undoing, last committed
first), ``timeouts`` (deadlines) and ``operator_actions`` (retry, cancel, approve or
reject).
"""

from __future__ import annotations

from .operator_actions import cancel, decide, retry
from .replies import on_reply
from .stages import start
from .state import Flight, SagaState, StepStatus
from .timeouts import on_deadline
from .transition import HistoryEntry, IdFactory, Ignored, OutgoingCommand, Transition

__all__ = [
    "Flight",
    "HistoryEntry",
    "IdFactory",
    "Ignored",
    "OutgoingCommand",
    "SagaState",
    "StepStatus",
    "Transition",
    "cancel",
    "decide",
    "on_deadline",
    "on_reply",
    "retry",
    "start",
]
