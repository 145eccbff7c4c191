"""Prometheus metrics of the platform, from the stores at scrape time.

    saga-metrics        # serves /metrics on SAGA_METRICS_PORT (9108)

saga-metrics is an orchestrator process: it reads the orchestrator's own store (sagas,
steps, subscriptions). Every other service answers for its own figures through its
``<service>.store_figures`` task; nobody opens another service's database. The services
asked are derived, not listed: the participants the deployed definitions send commands
to, and the reactors subscribed to the event dispatcher. A service that does not answer
within ``SAGA_METRICS_ASK_TIMEOUT`` (2 s) is ``saga_service_up 0`` for that scrape.

Reading the stores (instead of counting in each process) makes the figures correct with
prefork workers, across restarts and with several worker hosts: the stores are the truth.
"""

from __future__ import annotations

import os
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from celery import Celery
from prometheus_client import start_http_server
from prometheus_client.core import (
    REGISTRY,
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from messaging import dead_letters, inbox
from messaging.contracts.read_models import StoreFigures
from messaging.database import reading
from messaging.logs import get_logger
from messaging.reactors import REACTOR_SERVICE_PREFIX as SERVICE_PREFIX
from orchestrator import subscriptions
from orchestrator.saga_registry import definitions
from orchestrator.saga_store.tables import saga_history, sagas
from saga_client import CommandError, SagaPlatform, TaskClient

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
ORCHESTRATOR = "orchestrator"


def failure_reason(error: str | None) -> str:
    text = error or ""
    if text.startswith("no reply"):
        return "timed_out"
    if text.startswith("compensation of"):
        return "compensation_failed"
    return "other"


def histogram(
    name: str, doc: str, labels: list[str], samples: Mapping[tuple[str, ...], list[float]]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=labels)
    for key, values in sorted(samples.items()):
        counts = [sum(1 for v in values if v <= bound) for bound in BUCKETS]
        buckets = [(str(b), float(c)) for b, c in zip(BUCKETS, counts, strict=True)]
        buckets.append(("+Inf", float(len(values))))
        family.add_metric(list(key), buckets, sum(values))
    return family


def _seconds(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0)


def participants() -> list[str]:
    """The services the deployed definitions send commands to."""
    return sorted({step.service for d in definitions().every() for step in d.steps})


class PlatformCollector:
    def __init__(self, engine: Engine, client: Celery, ask_timeout: float = 2.0) -> None:
        self.engine = engine  # the orchestrator's own store
        self.client = client
        self.ask_timeout = ask_timeout

    def describe(self) -> list[Metric]:
        return []  # do not touch the stores when registering: they may not exist yet

    def collect(self) -> Iterator[Metric]:
        reactors: list[str] = []
        try:
            yield from self._sagas(self.engine)
            yield from self._subscriptions(self.engine, reactors)
        except SQLAlchemyError as exc:  # its store not created yet, or down: say nothing
            get_logger().warning("metrics_store_unavailable", store=ORCHESTRATOR, error=repr(exc))
        others = [*participants(), *(SERVICE_PREFIX + r for r in reactors)]
        yield from self._messaging({ORCHESTRATOR: self._own_figures(), **self._ask(others)})

    def _own_figures(self) -> StoreFigures | None:
        """The orchestrator's figures, read here: this process holds its store, and asking
        through its queue would queue the question behind the saga backlog."""
        try:
            return StoreFigures(
                service=ORCHESTRATOR,
                dead_letters_parked=dead_letters.count_parked(self.engine),
                handled=inbox.count(self.engine),
            )
        except SQLAlchemyError as exc:
            get_logger().warning("metrics_store_unavailable", store=ORCHESTRATOR, error=repr(exc))
            return None

    def _ask(self, services: list[str]) -> dict[str, StoreFigures | None]:
        """Each service's ``store_figures``, asked all at once under one deadline; None for
        a service that did not answer in time, or failed: it is down."""
        platform = SagaPlatform(TaskClient(self.client, timeout=self.ask_timeout))
        answers: dict[str, StoreFigures | None] = {}
        for service, answer in platform.store_figures_of(services):
            if isinstance(answer, CommandError):
                get_logger().warning("metrics_service_silent", service=service, error=str(answer))
            answers[service] = None if isinstance(answer, CommandError) else answer
        return answers

    @staticmethod
    def _subscriptions(engine: Engine, reactors: list[str]) -> Iterator[Metric]:
        """Per active subscription: how far behind, copies sent again, last seen."""
        behind = GaugeMetricFamily(
            "reactor_events_behind",
            "Events not yet sent to a reactor, plus copies sent it has not said it holds",
            labels=["reactor"],
        )
        resent = CounterMetricFamily(
            "reactor_copies_resent", "Copies sent again after a check", labels=["reactor"]
        )
        seen = GaugeMetricFamily(
            "reactor_last_seen_timestamp_seconds",
            "When a reactor last announced itself or answered a check",
            labels=["reactor"],
        )
        with reading(engine) as conn:
            listed = subscriptions.listing(conn)
        for sub in listed:
            if not sub["active"]:
                continue
            reactors.append(sub["name"])
            behind.add_metric([sub["name"]], sub["behind"])
            resent.add_metric([sub["name"]], sub["resent"])
            if sub["last_seen_at"]:
                at = datetime.fromisoformat(sub["last_seen_at"]).timestamp()
                seen.add_metric([sub["name"]], at)
        yield behind
        yield resent
        yield seen

    @staticmethod
    def _messaging(answers: Mapping[str, StoreFigures | None]) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "saga_service_up", "1 if the service answered for its figures", labels=["service"]
        )
        parked = GaugeMetricFamily("dead_letters", "Messages parked, by store", labels=["store"])
        events = CounterMetricFamily(
            "reactor_events", "Events a reactor handled or parked", labels=["reactor", "outcome"]
        )
        for service, figures in sorted(answers.items()):
            up.add_metric([service], 0 if figures is None else 1)
            if figures is None:
                continue
            parked.add_metric([service], figures.dead_letters_parked)
            if service.startswith(SERVICE_PREFIX):
                name = service.removeprefix(SERVICE_PREFIX)
                events.add_metric([name, "handled"], figures.handled)
                events.add_metric([name, "parked"], figures.dead_letters_parked)
        yield up
        yield parked
        yield events

    def _sagas(self, engine: Engine) -> Iterator[Metric]:
        with reading(engine) as conn:
            rows = conn.execute(
                select(
                    sagas.c.saga_id,
                    sagas.c.definition,
                    sagas.c.definition_version,
                    sagas.c.status,
                    sagas.c.error,
                    sagas.c.created_at,
                    sagas.c.updated_at,
                )
            ).all()
            history = conn.execute(
                select(saga_history.c.saga_id, saga_history.c.kind, saga_history.c.step,
                       saga_history.c.at)
                .where(saga_history.c.kind.in_(("command_sent", "reply_applied")))
                .order_by(saga_history.c.saga_id, saga_history.c.id)
            ).all()  # fmt: skip
        definitions = {row.saga_id: row.definition for row in rows}
        yield from saga_counts(rows)
        durations: dict[tuple[str, ...], list[float]] = defaultdict(list)
        for r in rows:
            if r.status in ("completed", "compensated", "failed"):
                durations[(r.definition,)].append(_seconds(r.created_at, r.updated_at))
        yield histogram(
            "saga_duration_seconds", "Start to end of finished sagas", ["definition"], durations
        )
        steps: dict[tuple[str, ...], list[float]] = defaultdict(list)
        sent: dict[tuple[str, str], datetime] = {}
        for h in history:
            if h.kind == "command_sent":
                sent[(h.saga_id, h.step)] = h.at
            elif (h.saga_id, h.step) in sent:
                start = sent.pop((h.saga_id, h.step))
                steps[(definitions.get(h.saga_id, "?"), h.step)].append(_seconds(start, h.at))
        yield histogram(
            "saga_step_duration_seconds", "Command sent to reply applied", ["saga", "step"], steps
        )


def saga_counts(rows: Sequence[Any]) -> Iterator[Metric]:
    """Started, completed, compensated, failed (by reason) and in flight (by state): every
    family labelled with the saga's ``definition`` and the ``version`` it runs; a
    version's zeroes are exported too, once it has a saga, so that rates start from 0."""
    status = Counter((row.definition, str(row.definition_version), row.status) for row in rows)
    keys = sorted({(row.definition, str(row.definition_version)) for row in rows})
    labels = ["definition", "version"]
    started = CounterMetricFamily("saga_started", "Sagas started", labels=labels)
    ended = {
        state: CounterMetricFamily(f"saga_{state}", f"Sagas {state}", labels=labels)
        for state in ("completed", "compensated")
    }
    for key in keys:
        started.add_metric(list(key), sum(n for (*k, _), n in status.items() if tuple(k) == key))
        for state, family in ended.items():
            family.add_metric(list(key), status[(*key, state)])
    yield started
    yield from ended.values()
    failed = CounterMetricFamily(
        "saga_failed", "Sagas failed, by reason", labels=[*labels, "reason"]
    )
    reasons = Counter(
        (r.definition, str(r.definition_version), failure_reason(r.error))
        for r in rows
        if r.status == "failed"
    )
    for (name, version, reason), count in sorted(reasons.items()):
        failed.add_metric([name, version, reason], count)
    yield failed
    in_flight = GaugeMetricFamily(
        "sagas_in_flight", "Sagas not finished", labels=[*labels, "state"]
    )
    for key in keys:
        for state in ("running", "awaiting_approval", "compensating"):
            in_flight.add_metric([*key, state], status[(*key, state)])
    yield in_flight


def main() -> None:
    from orchestrator.worker import app  # the orchestrator's app: its store and its broker

    port = int(os.environ.get("SAGA_METRICS_PORT", "9108"))
    ask = float(os.environ.get("SAGA_METRICS_ASK_TIMEOUT", "2"))
    app.check_store()  # its start check: no worker runs one for this process
    REGISTRY.register(PlatformCollector(app.engine, app, ask))
    start_http_server(port, addr=os.environ.get("SAGA_METRICS_ADDRESS", "127.0.0.1"))
    threading.Event().wait()


if __name__ == "__main__":
    main()
