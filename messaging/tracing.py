"""Optional OpenTelemetry tracing: one trace per saga, across every hop.

Install the extra (``pip install 'celery-sagas[tracing]'``) and set ``SAGA_TRACING``:
``otlp`` exports to ``OTEL_EXPORTER_OTLP_ENDPOINT`` (OpenTelemetry's own variables apply),
``console`` writes spans to stderr. Unset or ``none``: no tracing, and nothing of
OpenTelemetry is imported.

opentelemetry-instrumentation-celery makes a producer span per publish and a consumer span
per task run, the context travelling in message headers. What it cannot see is the outbox:
a message written in one transaction and published later by the relay. So the outbox keeps
the trace context of the span that wrote each message (``Envelope.trace_context``) and the
publisher re-attaches it, whoever publishes and however late.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any

from messaging.logs import get_logger

_enabled_in_pid: int | None = None


def mode() -> str:
    return os.environ.get("SAGA_TRACING", "none").strip().lower() or "none"


def enable_tracing(service: str, exporter: Any = None, *, batch: bool = True) -> bool:
    """Trace this process (call after fork, once per process). ``exporter``: a span
    exporter to use instead of the one ``SAGA_TRACING`` names (tests: in-memory)."""
    global _enabled_in_pid  # noqa: PLW0603 - one provider per process, as OpenTelemetry wants
    if _enabled_in_pid == os.getpid():
        return True
    if exporter is None and mode() == "none":
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = exporter if exporter is not None else _exporter_from_env()
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    instrumentor = CeleryInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    _enabled_in_pid = os.getpid()
    get_logger().info("tracing_enabled", exporter=type(exporter).__name__)
    return True


def _exporter_from_env() -> Any:
    if mode() == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if mode() == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    raise ValueError(f"SAGA_TRACING={mode()!r}: expected otlp, console or none")


@functools.cache
def _propagate() -> Any:
    try:
        from opentelemetry import propagate
    except ImportError:  # the tracing extra is not installed
        return None
    return propagate


def current_trace_context() -> dict[str, str] | None:
    """The W3C headers of the current span, or None when nothing is being traced."""
    propagate = _propagate()
    if propagate is None:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


@contextlib.contextmanager
def attached(trace_context: Mapping[str, str] | None) -> Iterator[None]:
    """Run the block inside the stored trace context (no-op without one)."""
    propagate = _propagate()
    if not trace_context or propagate is None:
        yield
        return
    from opentelemetry import context

    token = context.attach(propagate.extract(dict(trace_context)))
    try:
        yield
    finally:
        context.detach(token)
