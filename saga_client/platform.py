"""The platform's task API, typed: each method calls one task by name and parses its JSON
answer into the read model of messaging/contracts/read_models.py. Readers use these
models' attributes, never a guessed ``.get(..., "?")``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from messaging.contracts.read_models import (
    DeadLetters,
    DefinitionDescription,
    DefinitionSummary,
    OperatorResult,
    ReplayResult,
    RetentionReport,
    SagaStarted,
    SagaSummary,
    SagaView,
    StoreFigures,
    StuckSaga,
    TrailEntry,
)
from messaging.contracts.saga_status import TERMINAL_STATUSES
from saga_client.tasks import CommandError, RemoteError, Sent, TaskClient

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

ORCHESTRATOR = "orchestrator"
# A reactor's service (queue and task prefix) is this plus its name.
REACTOR_PREFIX = "reactor."

# Each service's answer, or the CommandError it gave (it did not answer in time, say).
Gathered = list[tuple[str, "T | CommandError"]]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class UnknownSaga(CommandError):
    """No saga has this saga id or business key."""


def parse(model: type[M], value: Any) -> M:
    return model.model_validate(value)


def parse_list(model: type[M], value: Any) -> list[M]:
    return TypeAdapter(list[model]).validate_python(value)  # type: ignore[valid-type]


class SagaPlatform:
    """The task API of a running platform, through a TaskClient (which holds the broker,
    the result backend and the default wait)."""

    def __init__(self, tasks: TaskClient) -> None:
        self.tasks = tasks

    # --- sagas --------------------------------------------------------------------------

    def start_saga(self, definition: str, input: Mapping[str, Any]) -> SagaStarted:
        kwargs = {"definition": definition, "input": dict(input)}
        return parse(SagaStarted, self.tasks.call("orchestrator.start_saga", kwargs, write=True))

    def place_order(self, order: Mapping[str, Any]) -> SagaStarted:
        return parse(SagaStarted, self.tasks.call("orchestrator.place_order", order, write=True))

    def get_saga(
        self,
        *,
        saga_id: str | None = None,
        definition: str | None = None,
        key: str | None = None,
        order_id: str | None = None,
        timeout: float = 0,
    ) -> SagaView:
        """One saga by id, by definition and key, or a checkout by order id."""
        given = {"saga_id": saga_id, "definition": definition, "key": key, "order_id": order_id}
        kwargs = {name: value for name, value in given.items() if value is not None}
        return parse(SagaView, self.tasks.call("orchestrator.get_saga", kwargs, timeout=timeout))

    def find_saga(
        self, ident: str, *, definition: str | None = None, timeout: float = 0
    ) -> SagaView:
        """By saga id if ``ident`` looks like one (falling back to the key), else by business
        key: the latest saga with that key of ``definition``, or of any definition. An order
        id finds its checkout this way (a return has a key of its own)."""
        if _UUID.match(ident):
            try:
                saga = self.get_saga(saga_id=ident, timeout=timeout)
                if definition in (None, saga.definition):
                    return saga
            except RemoteError as exc:
                if not exc.not_found:
                    raise
        try:
            return self.get_saga(definition=definition, key=ident, timeout=timeout)
        except RemoteError as exc:
            if exc.not_found:
                which = f"{definition} saga" if definition else "saga"
                raise UnknownSaga(f"no {which} with saga id or key {ident}") from None
            raise

    def list_sagas(
        self,
        *,
        state: str | None = None,
        limit: int = 100,
        definition: str | None = None,
        parent_key: str | None = None,
    ) -> list[SagaSummary]:
        given = {"state": state, "definition": definition, "parent_key": parent_key}
        kwargs = {"limit": limit, **{k: v for k, v in given.items() if v is not None}}
        return parse_list(SagaSummary, self.tasks.call("orchestrator.list_sagas", kwargs))

    def saga_counts(self, definition: str | None = None) -> dict[str, int]:
        kwargs = {"definition": definition} if definition else {}
        counted = self.tasks.call("orchestrator.saga_counts", kwargs)
        return {str(state): int(number) for state, number in counted.items()}

    def stuck_sagas(self, limit: int = 100) -> list[StuckSaga]:
        return parse_list(StuckSaga, self.tasks.call("orchestrator.stuck_sagas", {"limit": limit}))

    def wait_until_ended(self, saga_id: str, timeout: float, poll: float = 0.1) -> SagaView:
        """The saga once it ended, or as it stands when ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        while True:
            saga = self.get_saga(saga_id=saga_id)
            if saga.state in TERMINAL_STATUSES or time.monotonic() >= deadline:
                return saga
            time.sleep(min(poll, max(deadline - time.monotonic(), 0)))

    # --- an operator's actions ----------------------------------------------------------

    def operate(self, action: str, saga_id: str, **kwargs: Any) -> OperatorResult:
        """``action``: retry, cancel, approve or reject (``orchestrator.<action>_saga``)."""
        task = f"orchestrator.{action}_saga"
        answer = self.tasks.call(task, {"saga_id": saga_id, **kwargs}, write=True)
        return parse(OperatorResult, answer)

    # --- definitions --------------------------------------------------------------------

    def list_definitions(self) -> list[DefinitionSummary]:
        return parse_list(DefinitionSummary, self.tasks.call("orchestrator.list_definitions", {}))

    def send_describe_definition(
        self, name: str, state: str | None = None, steps: Mapping[str, str] | None = None
    ) -> Sent:
        """Ask for a definition's text and chart without waiting (``describe_definition``
        waits for it), so that other calls can run meanwhile."""
        kwargs: dict[str, Any] = {"name": name}
        if state is not None:
            kwargs |= {"state": state, "steps": dict(steps or {})}
        return self.tasks.send("orchestrator.describe_definition", kwargs)

    def describe_definition(self, sent: Sent) -> DefinitionDescription:
        return parse(DefinitionDescription, self.tasks.wait(sent))

    # --- every service ------------------------------------------------------------------

    def services(self) -> list[str]:
        """Every service of the running platform, derived, not typed out: the orchestrator,
        the participants its definitions send commands to, and each reactor subscribed
        (active: an unsubscribed one has stopped). Both questions go out at once."""
        definitions = self.tasks.send("orchestrator.list_definitions", {})
        subscribed = self.subscriptions()
        listed = parse_list(DefinitionSummary, self.tasks.wait(definitions))
        participants = {s for d in listed for s in d.services}
        reactors = {REACTOR_PREFIX + str(s["name"]) for s in subscribed if s.get("active", True)}
        return [ORCHESTRATOR, *sorted(participants), *sorted(reactors)]

    # --- reactors' subscriptions (the event dispatcher's own answers: plain JSON) --------

    def subscriptions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.tasks.call("events.subscriptions", {})
        return found

    def unsubscribe(self, name: str) -> None:
        self.tasks.call("events.unsubscribe", {"name": name}, write=True)

    def backfill(self, name: str, since: str | None) -> int:
        """How many past events the dispatcher sends the reactor again."""
        kwargs = {"name": name, "since": since}
        answer = self.tasks.call("events.backfill", kwargs, write=True)
        return int(answer.get("events", 0))

    def order_trails(self, services: Iterable[str], order_id: str) -> Gathered[list[TrailEntry]]:
        """What each service did for an order, all asked at once under one deadline."""
        kwargs = {"order_id": order_id}
        return self._gather(services, "order_trail", kwargs, lambda a: parse_list(TrailEntry, a))

    def dead_letters(self, services: Iterable[str], limit: int = 100) -> Gathered[DeadLetters]:
        kwargs = {"limit": limit}
        return self._gather(services, "dead_letters", kwargs, lambda a: parse(DeadLetters, a))

    def dead_letters_of(self, service: str, limit: int = 100) -> DeadLetters:
        return parse(DeadLetters, self.tasks.call(f"{service}.dead_letters", {"limit": limit}))

    def replay_dead_letters(self, service: str, ids: Sequence[int] | None) -> ReplayResult:
        kwargs = {"ids": None if ids is None else list(ids)}
        answer = self.tasks.call(f"{service}.replay_dead_letters", kwargs, write=True)
        return parse(ReplayResult, answer)

    def store_figures_of(self, services: Iterable[str]) -> Gathered[StoreFigures]:
        """Each service's own figures (saga-metrics), all asked at once, one deadline."""
        return self._gather(services, "store_figures", {}, lambda a: parse(StoreFigures, a))

    def store_figures(self, service: str, timeout: float = 0) -> StoreFigures:
        answer = self.tasks.call(f"{service}.store_figures", {}, timeout=timeout)
        return parse(StoreFigures, answer)

    def retention_of(self, services: Iterable[str]) -> Gathered[RetentionReport]:
        """Each service's tables under retention (``<service>.retention``), asked at once."""
        return self._gather(services, "retention", {}, lambda a: parse(RetentionReport, a))

    def _gather(
        self,
        services: Iterable[str],
        task: str,
        kwargs: Mapping[str, Any],
        read: Callable[[Any], T],
    ) -> Gathered[T]:
        """``<service>.<task>`` of each service, sent at once and read under one deadline:
        each answer read into its model, or the CommandError it gave."""
        sent = [(service, self.tasks.send(f"{service}.{task}", kwargs)) for service in services]
        return [
            (service, answer if isinstance(answer, CommandError) else read(answer))
            for service, answer in self.tasks.gather(sent)
        ]
