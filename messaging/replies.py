"""How a participant answers a command: a reply envelope back to the sender."""

from __future__ import annotations

from messaging import versions
from messaging.codec import Message
from messaging.contracts import Envelope, Payload
from messaging.outbox import OutgoingMessage
from messaging.routing import ORCHESTRATOR


def reply_to(command: Message[Payload], payload: Payload) -> OutgoingMessage:
    env = command.envelope
    envelope = Envelope.wrap(
        payload,
        saga_id=env.saga_id,
        correlation_id=env.correlation_id,
        causation_id=env.message_id,
        step=env.step,
        emit=versions.emitted(),
    )
    return OutgoingMessage.to_service(env.reply_to or ORCHESTRATOR, envelope)
