"""The Celery app of one service, with the settings every service shares, and its
per-process resources (engine, publisher) built lazily after fork, never at import."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from celery import Celery, current_app
from celery.signals import (
    setup_logging,
    task_prerun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_shutdown,
)
from kombu import Queue  # type: ignore[attr-defined]
from sqlalchemy import Engine

from messaging import redis_transport, versions
from messaging.contracts import catalog
from messaging.database import build_engine
from messaging.log_context import bind_task_context, log_headers, summary
from messaging.logs import configure_logging, get_logger
from messaging.outbox import PendingRow
from messaging.published_marks import PublishedMarks
from messaging.retention import RetentionReporter
from messaging.retention_policy import RetentionSettings
from messaging.schema import StoreSchema, prepare
from messaging.settings import Settings
from messaging.tracing import attached, enable_tracing

log = get_logger()


class CeleryPublisher:
    """Publishes outbox rows as Celery task messages, the message id as task id."""

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._producer: Any = None  # inside ``batch``: the producer every publish goes through

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Publishes inside go to the broker together when it ends: on Redis in one
        pipeline (kombu's ``Producer.batch``), one round trip instead of one per message;
        on a broker without batches, one by one as they come. An error, at a publish or
        at the end, is raised from here; then any of them may have been sent or not (an
        outbox row is marked only after, so the relay sends it again)."""
        if self._producer is not None:  # already in one: the outer one sends
            yield
            return
        with self._app.producer_or_acquire() as producer:
            if not producer.supports_batch_publish:
                # RabbitMQ (py-amqp) has no publish batches: plain publishes, each
                # confirmed, rather than kombu's batch fallback
                yield
                return
            self._producer = producer
            try:
                with producer.batch():
                    yield
            finally:
                self._producer = None

    def publish(self, row: PendingRow) -> None:
        self.send(row.task_name, row.queue, row.body, row.message_id)

    def send(
        self,
        task_name: str,
        queue: str,
        body: dict[str, Any],
        message_id: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """One envelope to one queue, as the task ``task_name(message=body, **extra)``."""
        with attached(body.get("trace_context")):
            self._app.send_task(
                task_name,
                kwargs={"message": body, **(extra or {})},
                queue=queue,
                task_id=message_id,
                producer=self._producer,
                headers=log_headers(body),
                ignore_result=True,
                # what Flower and task events show instead of repr() of the whole
                # envelope: cheaper, and no customer data outside the stores
                argsrepr="()",
                kwargsrepr=summary(body),
            )


class ServiceApp(Celery):
    """A service's Celery app. ``engine`` and ``publisher`` exist once per process.

    ``queue`` is the one queue its worker consumes (the service's name unless told);
    ``schema`` is what its store holds (messaging/schema.py); ``at_start`` are checks run
    once when its worker starts (the message catalog is always gathered then: two types
    with one name stop the worker there; the store is brought up to date then
    (SAGA_MIGRATE=auto) or checked to be (check), so a store that is behind stops the
    worker with the command to run). ``engine`` only builds an engine: a process that
    uses the store without a worker (a relay, the sweeper, metrics) calls
    ``check_store`` once at its start."""

    def __init__(
        self,
        service: str,
        schema: StoreSchema,
        *,
        queue: str | None = None,
        at_start: Sequence[Callable[[], object]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(service, set_as_current=False, **kwargs)
        self.service = service
        self.queue = queue or service
        self.schema = schema
        self.at_start: tuple[Callable[[], object], ...] = (
            catalog,
            versions.check,
            *at_start,
            self._store_ready,
        )
        self.settings = Settings.from_env(service)
        # read here: a bad SAGA_RETENTION_* stops every process of the service at start
        self.retention = RetentionSettings.from_env()
        # Tables of the service's own beside the shared ones, for ``<service>.retention``
        # (the orchestrator's sagas, history and event log): each adds its figures.
        self.retention_reports: list[RetentionReporter] = []
        self._engine: Engine | None = None
        self._pid: int | None = None
        # rows this process published, marked a few times a second (a worker's handlers)
        self.marks = self._new_marks()
        self.conf.update(celery_settings(self.settings))
        self.conf.task_queues = (Queue(self.queue),)  # type: ignore[no-untyped-call]
        self.conf.task_default_queue = self.queue
        # Celery configures no logging of its own once setup_logging has a receiver: its
        # lines then go through ours (messaging.logs), in the same format.
        setup_logging.connect(self._on_setup_logging, weak=False)
        worker_init.connect(self._on_worker_start, weak=False)
        worker_process_init.connect(self._on_process_init, weak=False)
        worker_shutdown.connect(self._on_worker_stop, weak=False)
        worker_process_shutdown.connect(self._on_worker_stop, weak=False)
        task_prerun.connect(bind_task_context, weak=False)

    def configure_logging(self) -> None:
        configure_logging(self.service, self.settings.log_format, self.settings.log_level)

    def _on_setup_logging(self, **_: Any) -> None:
        self.configure_logging()

    def _on_worker_start(self, sender: Any = None, **_: Any) -> None:
        # Celery's signals are process-wide: a process that built several apps (a test
        # run, a module importing another service's app) starts one worker, of one app.
        if getattr(sender, "app", self) is not self:
            return
        self.configure_logging()
        # A worker's broker connection is made after this: it takes the Redis transport
        # that shares one client per channel (messaging/redis_transport.py).
        self.conf.broker_transport = redis_transport.for_url(self.settings.broker_url)
        # Once per worker start: a prefork parent stops here, its children check nothing
        # again (the parent checked the store moments before it forked them).
        self._run_start_checks()
        if _runs_tasks_itself(sender):
            enable_tracing(self.service)  # solo pool: no fork, this process runs the tasks

    def _on_process_init(self, **_: Any) -> None:
        # Not named _after_fork: that is Celery's own hook, which resets the broker
        # connection and producer pools in a forked child (overriding it left a replaced
        # pool child with its parent's closed pools: "Acquire on closed pool").
        self._engine = None  # never share a parent's connection pool
        self._pid = None
        self.marks = self._new_marks()  # nor its waiting marks, nor its thread
        # Sent with the worker's hostname as sender (celery/concurrency/prefork.py and
        # solo.py), not its app: the worker's app is the current one (the worker makes it
        # so before the pool starts); another app built in this process has nothing to
        # start here. The start checks ran once, at worker_init: none here.
        if current_app._get_current_object() is not self:
            return
        self.configure_logging()
        enable_tracing(self.service)  # when SAGA_TRACING asks for it

    def _new_marks(self) -> PublishedMarks:
        # a few times within the relay's grace, so the relay never sends a row again
        # because its mark was still waiting
        interval = min(0.2, self.settings.relay_grace / 4)
        return PublishedMarks(lambda: self.engine, interval)

    def _on_worker_stop(self, **_: Any) -> None:
        self.marks.close()  # nothing waits, or this process never published: no-op

    def _run_start_checks(self) -> None:
        """The worker's start checks, ``at_start`` (the store's last)."""
        _refuse_unless(self.service, self.at_start)

    def check_store(self) -> None:
        """The start check of a process that uses this app's store without a worker (a
        relay, the sweeper, metrics): call it once, at its start. Stops the process as a
        worker is stopped: a store that is behind names the command to run."""
        _refuse_unless(self.service, (self._store_ready,))

    @property
    def engine(self) -> Engine:
        """This process's engine, built on first use (after fork): it only builds it, the
        store was checked at the process's start (``_store_ready``)."""
        if self._engine is None or self._pid != os.getpid():
            self._engine, self._pid = build_engine(self.settings.database_url), os.getpid()
        return self._engine

    def _store_ready(self) -> None:
        """A start check: the store is up to date (or brought there), on an engine of
        its own (a prefork parent must hold no pool its children would inherit)."""
        engine = build_engine(self.settings.database_url)
        try:
            prepare(engine, self.schema, self.settings.migrate)
        finally:
            engine.dispose()

    @property
    def publisher(self) -> CeleryPublisher:
        return CeleryPublisher(self)


def _refuse_unless(service: str, checks: Sequence[Callable[[], object]]) -> None:
    """Stop the process when a check fails. SystemExit, because Celery logs and swallows
    an Exception raised by a signal receiver and would start anyway."""
    for check in checks:
        try:
            check()
        except Exception as exc:
            log.error("start_refused", reason=str(exc))
            raise SystemExit(f"{service} cannot start: {exc}") from exc


def _runs_tasks_itself(worker: Any) -> bool:
    """A solo (or threads) pool: tasks run in the worker's own process, not after a fork.
    At ``worker_init`` the pool is still a name, or already a class."""
    pool = getattr(worker, "pool_cls", None)
    name = pool if isinstance(pool, str) else getattr(pool, "__module__", "")
    return name.rsplit(".", 1)[-1] in {"solo", "threads", "thread"}


def is_amqp(url: str) -> bool:
    """A RabbitMQ URL (``amqp://``, ``pyamqp://``, ``amqps://``)."""
    return url.split("://", 1)[0] in {"amqp", "pyamqp", "amqps"}


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    """RabbitMQ: publisher confirms, so a publish returns only once the broker has the
    message (an outbox row is marked published after that, never before); a dead
    worker's unacked messages come back at once. Redis: a message taken by a worker that
    died whole (kill -9, lost host) comes back visibility_timeout seconds later, found by a
    sweep every restore_interval seconds (docs/reliability.md#brokers)."""
    if is_amqp(settings.broker_url):
        return {"confirm_publish": True}
    return {
        "visibility_timeout": settings.visibility_timeout,
        "unacked_restore_interval": settings.restore_interval,
        "unacked_restore_throttle": 1,
    }


def celery_settings(settings: Settings) -> dict[str, Any]:
    """The reliability settings every app shares; docs/reliability.md says why."""
    return {
        "broker_url": settings.broker_url,
        "result_backend": settings.result_backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_ignore_result": True,
        "result_expires": 24 * 3600,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        # Task events cost 4 Redis publishes per delivery, a fifth of the platform's CPU
        # (docs/benchmarks.md): sent only while a monitor watches. Flower asks every
        # worker to send them when it connects (Celery's enable_events) and sees every task
        # from its receipt on; "always" also sends one for every publish (task-sent).
        "worker_send_task_events": settings.task_events == "always",
        "task_send_sent_event": settings.task_events == "always",
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": broker_transport_options(settings),
        "result_backend_transport_options": {"visibility_timeout": settings.visibility_timeout},
        "task_create_missing_queues": True,
        "worker_consumer": "messaging.parking:ParkingConsumer",
        "enable_utc": True,
    }
