"""Calling a task by name: send it to its service's queue, wait for its result within a
deadline, and turn what can go wrong into one-line errors. The one way every tool of ours
(sagactl, the web view, the demo, the tests, the benchmarks) calls the platform."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.exceptions import TaskRevokedError
from celery.exceptions import TimeoutError as ResultTimeout
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

# --- errors -------------------------------------------------------------------------------


class CommandError(Exception):
    """Something to report in one line on stderr; sagactl exits 1."""


class NoAnswer(CommandError):
    """Nobody answered in time: the service's worker may not be running."""

    def __init__(self, task: str, queue: str, wait: float, *, write: bool) -> None:
        self.task = task
        self.queue = queue
        self.wait = wait
        later = " The request stays queued and runs when a worker takes it." if write else ""
        super().__init__(
            f"no answer from {task} within {wait:g}s: the {queue} worker may not be running.{later}"
        )


class RemoteError(CommandError):
    """A task raised: carries the remote exception's type name and message."""

    def __init__(self, task: str, exc: BaseException) -> None:
        self.remote = exc  # as Celery rebuilt it: a builtin type (ValueError, LookupError)
        self.type_name = type(exc).__name__
        # get_saga raises LookupError (older workers: SagaNotFound, rebuilt by name)
        self.not_found = isinstance(exc, LookupError) or self.type_name == "SagaNotFound"
        super().__init__(f"{task} failed: {str(exc) or self.type_name}")


# --- the task client ----------------------------------------------------------------------


# Give up on an unreachable broker or result backend within seconds, not minutes.
# The least wait left to a service once a shared deadline passed: a result already in the
# backend is still read.
LAST_WAIT = 0.5
_FEW_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def build_app(broker: str, backend: str) -> Celery:
    """A client-only Celery app: JSON only, and an unreachable broker or result backend
    reported within seconds, not retried for minutes."""
    app = Celery("saga-client", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        broker_connection_timeout=3,
        broker_connection_max_retries=2,
        task_publish_retry_policy=_FEW_RETRIES,
        redis_socket_connect_timeout=3,
        result_backend_transport_options={"retry_policy": _FEW_RETRIES},
    )
    return app


def root_cause(exc: BaseException) -> str:
    """The innermost cause of an exception, on one line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return " ".join(str(exc).split()) or type(exc).__name__


def queue_of(task: str) -> str:
    """A task's queue: its name minus the last segment, so ``inventory.get_stock`` goes to
    ``inventory`` and ``reactor.crm.get_customer`` to ``reactor.crm``."""
    return task.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Sent:
    """A task message on its way: what to wait for, and for how long by default."""

    task: str
    queue: str
    result: Any  # celery.result.AsyncResult
    wait: float
    write: bool


class TaskClient:
    """Sends tasks by name to their service's queue and waits for their results."""

    def __init__(self, app: Celery, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    def call(
        self, task: str, kwargs: Mapping[str, Any], *, write: bool = False, timeout: float = 0
    ) -> Any:
        return self.wait(self.send(task, kwargs, write=write, timeout=timeout))

    def send(
        self, task: str, kwargs: Mapping[str, Any], *, write: bool = False, timeout: float = 0
    ) -> Sent:
        """Send without waiting, so that several services can work at once."""
        queue = queue_of(task)
        wait = timeout or self.timeout
        try:
            # A read nobody picked up in time is dropped; a write stays queued.
            result = self.app.send_task(
                task, kwargs=dict(kwargs), queue=queue, expires=None if write else wait
            )
        except Exception as exc:  # nothing ran remotely: the broker or backend is unreachable
            url = maybe_sanitize_url(self.app.conf.broker_url)
            raise CommandError(
                f"cannot send {task} (broker {url}, or its result backend): {root_cause(exc)}"
            ) from None
        return Sent(task, queue, result, wait, write)

    def gather(self, sent: Sequence[tuple[str, Sent]]) -> list[tuple[str, Any]]:
        """Results of tasks sent at once to several services, the whole wait bounded by one
        timeout (not one per service): each a result, or the CommandError it gave."""
        deadline = time.monotonic() + self.timeout
        found: list[tuple[str, Any]] = []
        for service, pending in sent:
            try:
                left = max(deadline - time.monotonic(), LAST_WAIT)
                found.append((service, self.wait(pending, timeout=left)))
            except CommandError as exc:
                found.append((service, exc))
        return found

    def wait(self, sent: Sent, timeout: float = 0) -> Any:
        """The result of a sent task, waiting at most ``timeout`` (default: its own wait)."""
        try:
            return sent.result.get(timeout=timeout or sent.wait)
        except (ResultTimeout, TaskRevokedError):  # revoked: a worker took it once expired
            raise NoAnswer(sent.task, sent.queue, sent.wait, write=sent.write) from None
        except Exception as exc:  # the task's own error, re-raised by Celery, or a lost link
            lost = (OperationalError, *getattr(self.app.backend, "connection_errors", ()))
            if isinstance(exc, lost) or isinstance(exc.__cause__, lost):
                raise CommandError(f"lost the result backend: {root_cause(exc)}") from None
            raise RemoteError(sent.task, exc) from None
        finally:  # read once: no stored result left behind, no subscription kept open
            with contextlib.suppress(Exception):
                sent.result.forget()
