"""A Celery consumer that parks what Celery itself cannot run: undecodable bodies
(pickle, unknown content type), messages that are not tasks, unknown task names.

Celery logs these and acknowledges or rejects them, so they would be gone. We park a
copy in the service's dead letters first. Set with ``worker_consumer``.
"""

from __future__ import annotations

from typing import Any

from celery.worker.consumer import Consumer

from messaging import dead_letters
from messaging.logs import get_logger

log = get_logger()


def _describe(message: Any) -> dict[str, Any]:
    body = message.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return {
        "headers": {k: str(v) for k, v in (message.headers or {}).items()},
        "content_type": message.content_type,
        "routing_key": (message.delivery_info or {}).get("routing_key"),
        "body": body if isinstance(body, str) else repr(body),
    }


class ParkingConsumer(Consumer):
    def _park(self, message: Any, reason: str) -> bool:
        """Park a copy; False if even that failed (then the message goes back to its queue
        rather than being acked into oblivion)."""
        try:
            headers = message.headers or {}
            task_name = str(headers.get("task", "(not a task)"))[:200]
            letter = dead_letters.park(
                self.app.engine, task_name=task_name, body=_describe(message), reason=reason
            )
            log.error("message_parked", dead_letter_id=letter, reason=reason[:500])
            return True
        except Exception:  # never let parking take the consumer down
            log.exception("parking_failed", reason=reason[:500])
            message.reject(requeue=True)
            return False

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        if self._park(message, f"cannot decode message ({message.content_type}): {exc!r}"):
            super().on_decode_error(message, exc)

    def on_unknown_message(self, body: Any, message: Any) -> None:
        if self._park(message, "not a Celery task message"):
            super().on_unknown_message(body, message)

    def on_unknown_task(self, body: Any, message: Any, exc: Exception) -> None:
        if self._park(message, f"unknown task: {exc!r}"):
            super().on_unknown_task(body, message, exc)

    def on_invalid_task(self, body: Any, message: Any, exc: Exception) -> None:
        if self._park(message, f"invalid task message: {exc!r}"):
            super().on_invalid_task(body, message, exc)
