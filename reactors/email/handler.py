"""Sends the email of an event over SMTP and records it, in the reactor's transaction.

The message's Message-ID is derived from the event id, so a mail server or a reader can
recognise the rare duplicate (a crash after the SMTP send and before the commit).

Settings: REACTOR_EMAIL_SMTP_HOST (127.0.0.1), REACTOR_EMAIL_SMTP_PORT (1025),
REACTOR_EMAIL_FROM (orders@example.com), REACTOR_EMAIL_SMTP_TIMEOUT (10 seconds).
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TypeVar

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.reactors import EventEntry, EventHandlers
from reactors.email import render, store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnRejected

E = TypeVar("E", OrderConfirmed, OrderCancelled, ReturnCompleted, ReturnRejected)


def build() -> EventHandlers:
    mailer = Mailer(
        host=os.environ.get("REACTOR_EMAIL_SMTP_HOST", "127.0.0.1"),
        port=int(os.environ.get("REACTOR_EMAIL_SMTP_PORT", "1025")),
        sender=os.environ.get("REACTOR_EMAIL_FROM", "orders@example.com"),
        timeout=float(os.environ.get("REACTOR_EMAIL_SMTP_TIMEOUT", "10")),
    )
    return EventHandlers(
        "email",
        {
            OrderConfirmed: mailer.sending("confirmation", render.confirmation),
            OrderCancelled: mailer.sending("cancellation", render.cancellation),
            ReturnCompleted: mailer.sending("return_refund", render.return_refund),
            ReturnRejected: mailer.sending("return_rejected", render.return_rejected),
        },
    )


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    timeout: float

    def sending(self, kind: str, render_email: Callable[[E], render.Email]) -> EventEntry:
        """The handler of one event type: its email rendered, recorded as ``kind``, sent."""

        def handle(conn: Connection, message: Message[E]) -> None:
            self.send(conn, message, kind, render_email(message.payload))

        return handle

    def send(
        self,
        conn: Connection,
        message: Message[E],
        kind: str,
        email: render.Email,
    ) -> None:
        order_id = message.payload.order_id
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = email.to
        mail["Subject"] = email.subject
        mail["Message-ID"] = f"<{message.envelope.message_id}@saga-platform>"
        mail["X-Order-Id"] = order_id
        mail.set_content(email.body)
        store.record(
            conn,
            event_id=message.envelope.message_id,
            order_id=order_id,
            kind=kind,
            recipient=email.to,
            subject=email.subject,
            message_id=mail["Message-ID"],
        )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)  # last: nothing after can fail
