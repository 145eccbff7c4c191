"""Which services an operator may name: those the running platform says it has
(``SagaPlatform.services()``: the orchestrator, the participants its definitions talk to,
each subscribed reactor), never a list typed out here. A reactor is named ``reactor.NAME``
or just ``NAME``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from console.errors import UsageError
from saga_client.platform import REACTOR_PREFIX, SagaPlatform

SERVICE_HELP = (
    "a service of the running platform (sagactl services lists them); a reactor by"
    " reactor.NAME or NAME"
)


def resolve_service(name: str, known: Sequence[str]) -> str:
    """``name`` if the platform has it, ``reactor.<name>`` for a reactor's bare name."""
    for candidate in (name, REACTOR_PREFIX + name):
        if candidate in known:
            return candidate
    raise UsageError(f"unknown service {name!r}: give one of {', '.join(known)}")


def services_of(platform: SagaPlatform, names: Iterable[str] | None) -> list[str]:
    """The services named (in order, once each); by default every service."""
    known = platform.services()
    if not names:
        return known
    return list(dict.fromkeys(resolve_service(name, known) for name in names))
