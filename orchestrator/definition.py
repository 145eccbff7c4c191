"""A saga definition is data: an ordered list of steps, each with its command,
the replies that mean success or failure, and the compensation that undoes it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from messaging.contracts import Payload

SagaData = Mapping[str, Any]
CommandBuilder = Callable[[SagaData], Payload]
ReplyRecorder = Callable[[Any], Mapping[str, Any]]
EventBuilder = Callable[[SagaData, Mapping[str, str]], Payload | None]


def record_nothing(_reply: Any) -> Mapping[str, Any]:
    return {}


def keep(**fields: str) -> ReplyRecorder:
    """Record reply fields in the saga data: ``keep(payment_id="payment_id")`` keeps the
    reply's ``payment_id`` under that name; ``keep(refunded_cents="amount_cents")``
    renames."""

    def recorded(reply: Any) -> Mapping[str, Any]:
        return {key: getattr(reply, attr) for key, attr in fields.items()}

    return recorded


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for a reply and how often to try before giving up.

    On a timeout the same command (same message id) is sent again: participants are
    idempotent. A compensation that answers with a failure is tried again after
    ``retry_delay`` (growing by ``backoff``) with a new message id.
    """

    timeout: float = 30.0
    max_attempts: int = 3
    backoff: float = 2.0
    retry_delay: float = 1.0

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.max_attempts < 1 or self.backoff < 1 or self.retry_delay < 0:
            raise ValueError(f"invalid retry policy: {self}")

    def timeout_for(self, attempt: int) -> float:
        """Seconds to wait for the reply to the ``attempt``-th send (1-based)."""
        return self.timeout * self.backoff ** (attempt - 1)

    def delay_after(self, attempt: int) -> float:
        return self.retry_delay * self.backoff ** (attempt - 1)


@dataclass(frozen=True)
class Compensation:
    """The command that semantically undoes a committed step."""

    command: CommandBuilder
    done_on: frozenset[str]
    failed_on: frozenset[str] = frozenset()
    policy: RetryPolicy = RetryPolicy(timeout=30.0, max_attempts=5)


@dataclass(frozen=True)
class Approval:
    """A human decision before a step's command is sent, when ``needed`` says so.
    No decision within ``timeout`` seconds counts as a rejection."""

    needed: Callable[[SagaData], bool]
    timeout: float = 24 * 3600.0


@dataclass(frozen=True)
class Step:
    name: str
    service: str  # the participant that handles the command (its queue)
    command: CommandBuilder
    # reply type meaning success -> what to keep from it in the saga data
    success_on: Mapping[str, ReplyRecorder]
    failure_on: frozenset[str] = frozenset()
    compensation: Compensation | None = None
    # Out of attempts: "compensate" undoes the committed steps before this one (use it only
    # when a late success of this step is harmless); "fail" stops for an operator.
    policy: RetryPolicy = RetryPolicy()
    on_exhausted: str = "fail"
    approval: Approval | None = None
    # Replies meaning "the outcome is not known yet" (kept like a success's fields), and
    # the query that asks for the outcome until it is known: forward recovery, never a
    # second attempt at the command itself.
    unknown_on: Mapping[str, ReplyRecorder] = field(default_factory=dict)
    status_query: CommandBuilder | None = None
    # Consecutive steps with the same group run at the same time: their commands go out
    # together and the saga goes on once every one has answered.
    group: str | None = None


def no_event(_data: SagaData, _failure: Mapping[str, str]) -> Payload | None:
    return None


def no_summary(_data: SagaData) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class SagaRecord:
    """What a definition may read of another saga when it admits a new one."""

    saga_id: str
    definition: str
    business_key: str
    status: str
    data: SagaData


class SagaLookup(Protocol):
    """Read access to the orchestrator's own sagas, inside the starting transaction."""

    def get(self, definition: str, business_key: str) -> SagaRecord | None:
        """The saga, locked until the start commits (two starts that read it queue)."""
        ...

    def children(self, definition: str, parent_key: str) -> Sequence[SagaRecord]:
        """Sagas of ``definition`` started with this ``parent_key``."""
        ...


@dataclass(frozen=True)
class AdmissionContext:
    lookup: SagaLookup
    settings: Mapping[str, str]  # the process environment: read at start, kept in the data


@dataclass(frozen=True)
class Admitted:
    """The saga may start with this data; ``parent_key`` links it to the saga it is
    about (a return to its order)."""

    data: Mapping[str, Any]
    parent_key: str | None = None


@dataclass(frozen=True)
class Refused:
    """The input is valid but the saga cannot start: ``reason`` says why, for the client."""

    reason: str


InputT = TypeVar("InputT", bound=BaseModel)


@dataclass(frozen=True)
class Admission(Generic[InputT]):
    """How a client starts the saga: the input model it submits, the business key that
    makes a start idempotent (the same key twice is the same saga), and the check that
    turns a valid input into the saga's first data, or refuses it."""

    model: type[InputT]
    key_name: str  # the input field the key comes from, for people: "order_id"
    key: Callable[[InputT], str]
    admit: Callable[[InputT, AdmissionContext], Admitted | Refused]


@dataclass(frozen=True)
class SagaDefinition:
    name: str
    steps: tuple[Step, ...]
    # domain events written with the final transition (fan-out is not the engine's business)
    on_completed: EventBuilder = no_event
    on_compensated: EventBuilder = no_event
    # How clients start it (None: only code that builds the data itself, as tests do).
    admission: Admission[Any] | None = None
    # The event types it may record, for readers and the docs.
    events: tuple[type[Payload], ...] = ()
    # A few "label: value" pairs that tell one saga from another in a listing.
    summary: Callable[[SagaData], Mapping[str, str]] = no_summary
    description: str = ""
    # A saga runs to its end on the version it started on: a changed list of steps is a
    # new version, registered beside the old one until no saga runs the old one.
    version: int = 1
    step_index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    # Step indexes run together, in order: a group of steps, or a step on its own.
    stages: tuple[tuple[int, ...], ...] = field(init=False, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``checkout@2``: the name and version, as listings and errors show them."""
        return f"{self.name}@{self.version}"

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError(
                f"saga {self.name!r}: version must be an integer, got {self.version!r}"
            )
        if self.version < 1:
            raise ValueError(f"saga {self.name!r}: version must be 1 or more, got {self.version}")
        if not self.steps:
            raise ValueError(f"saga {self.name!r} has no steps")
        names = [step.name for step in self.steps]
        if len(names) != len(set(names)):
            raise ValueError(f"saga {self.name!r} has duplicate step names: {names}")
        for step in self.steps:
            if bool(step.unknown_on) != (step.status_query is not None):
                raise ValueError(f"step {step.name!r}: unknown_on needs a status_query")
            if step.on_exhausted not in ("fail", "compensate"):
                raise ValueError(f"step {step.name!r}: on_exhausted must be fail or compensate")
            overlap = set(step.success_on) & step.failure_on
            if overlap:
                raise ValueError(f"step {step.name!r}: {overlap} both success and failure")
        object.__setattr__(self, "step_index", {name: i for i, name in enumerate(names)})
        object.__setattr__(self, "stages", stages_of(self.steps))


def stages_of(steps: tuple[Step, ...]) -> tuple[tuple[int, ...], ...]:
    """Consecutive steps of one group form a stage; every other step is a stage alone."""
    stages: list[list[int]] = []
    for i, step in enumerate(steps):
        if step.group is not None and i > 0 and steps[i - 1].group == step.group:
            stages[-1].append(i)
        else:
            stages.append([i])
    groups = [steps[stage[0]].group for stage in stages if steps[stage[0]].group is not None]
    for group in groups:
        if groups.count(group) > 1:
            apart = [step.name for step in steps if step.group == group]
            raise ValueError(f"group {group!r}: its steps {apart} are not consecutive")
    for stage in stages:
        group = steps[stage[0]].group
        if group is not None:
            _check_group(group, [steps[i] for i in stage])
    return tuple(tuple(stage) for stage in stages)


def _check_group(group: str, members: list[Step]) -> None:
    """A group's members are answered by their command alone: no review before one (the
    others would be sent and wait) and no unknown outcome (asked about step by step)."""
    if len(members) == 1:
        only = members[0].name
        raise ValueError(f"group {group!r} has one step ({only!r}): a group needs two or more")
    for step in members:
        if step.approval is not None:
            raise ValueError(f"step {step.name!r}: an approval is not supported in a group")
        if step.status_query is not None or step.unknown_on:
            raise ValueError(
                f"step {step.name!r}: an unknown outcome (status_query) is not supported in a group"
            )


def scaled(definition: SagaDefinition, factor: float) -> SagaDefinition:
    """The same definition with every timeout and retry delay multiplied by ``factor``."""
    if factor <= 0:
        raise ValueError(f"SAGA_POLICY_SCALE must be positive, got {factor}")
    if factor == 1:
        return definition

    def policy(p: RetryPolicy) -> RetryPolicy:
        return replace(p, timeout=p.timeout * factor, retry_delay=p.retry_delay * factor)

    steps = tuple(
        replace(
            step,
            policy=policy(step.policy),
            compensation=None
            if step.compensation is None
            else replace(step.compensation, policy=policy(step.compensation.policy)),
            approval=None
            if step.approval is None
            else replace(step.approval, timeout=step.approval.timeout * factor),
        )
        for step in definition.steps
    )
    return replace(definition, steps=steps)
