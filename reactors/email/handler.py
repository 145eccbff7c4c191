"""Sends the email of an event over SMTP and records it, in the reactor's transaction.

The message's Message-ID is derived from the event id, so a mail server or a reader can
recognise the rare duplicate (a crash after the SMTP send and before the commit).

Settings: REACTOR_EMAIL_SMTP_HOST (127.0.0.1), REACTOR_EMAIL_SMTP_PORT (1025),
REACTOR_EMAIL_FROM (orders@example.com), REACTOR_EMAIL_SMTP_TIMEOUT (10 seconds).
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

from sqlalchemy import Connection

from messaging.codec import Message
from messaging.contracts import Payload
from messaging.reactors import EventHandler
from reactors.email import render, store
from sagas.checkout.events import OrderCancelled, OrderConfirmed
from sagas.returns.events import ReturnCompleted, ReturnRejected


def build() -> EventHandler:
    host = os.environ.get("REACTOR_EMAIL_SMTP_HOST", "127.0.0.1")
    port = int(os.environ.get("REACTOR_EMAIL_SMTP_PORT", "1025"))
    sender = os.environ.get("REACTOR_EMAIL_FROM", "orders@example.com")
    timeout = float(os.environ.get("REACTOR_EMAIL_SMTP_TIMEOUT", "10"))

    def handle(conn: Connection, message: Message[Payload]) -> None:
        event = message.payload
        if isinstance(event, OrderConfirmed):
            email, kind = render.confirmation(event), "confirmation"
        elif isinstance(event, OrderCancelled):
            email, kind = render.cancellation(event), "cancellation"
        elif isinstance(event, ReturnCompleted):
            email, kind = render.return_refund(event), "return_refund"
        elif isinstance(event, ReturnRejected):
            email, kind = render.return_rejected(event), "return_rejected"
        else:
            raise TypeError(f"email does not handle {message.type}")
        mail = EmailMessage()
        mail["From"] = sender
        mail["To"] = email.to
        mail["Subject"] = email.subject
        mail["Message-ID"] = f"<{message.envelope.message_id}@saga-platform>"
        mail["X-Order-Id"] = event.order_id
        mail.set_content(email.body)
        store.record(
            conn,
            event_id=message.envelope.message_id,
            order_id=event.order_id,
            kind=kind,
            recipient=email.to,
            subject=email.subject,
            message_id=mail["Message-ID"],
        )
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:  # last: nothing after can fail
            smtp.send_message(mail)

    return handle
