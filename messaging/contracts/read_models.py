"""What the read tasks return: one pydantic model per answer, sent as JSON
(``model_dump(mode="json")``) and parsed by every reader (``model_validate``), so that no
reader guesses a shape with ``.get(..., "?")``.

These are contracts like the messages, with one difference: a reader is tolerant
(``extra="ignore"``), so that a newer worker may add a field without breaking an older
console. Times travel as ISO 8601 strings and are parsed back into aware datetimes.
docs/task-api.md lists every model's fields; ``make task-api`` writes that list and a
test checks it (tests/unit/test_task_api_doc_matches_read_models.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# --- one saga --------------------------------------------------------------------------


class SagaSummary(ReadModel):
    """A saga in a listing: who it is, where it stands."""

    saga_id: str
    definition: str
    definition_version: int = Field(1, description="the definition's version it runs on")
    business_key: str = Field(description="the input's key: a checkout's order id")
    parent_key: str | None = Field(None, description="the saga it is about: a return's order")
    summary: dict[str, str] = Field(
        default_factory=dict, description="the definition's own label: value pairs"
    )
    correlation_id: str | None = Field(None, description="the id every log line of it carries")
    state: str = Field(description="a SagaStatus value")
    current_step: str | None = Field(None, description="the step it waits on or undoes")
    attempt: int = Field(0, description="the current step's attempt, from 1")
    deadline: datetime | None = Field(None, description="when the sweeper acts")
    created_at: datetime
    updated_at: datetime

    @property
    def root_key(self) -> str:
        """The key participants and reactors file this saga's records under: its parent's
        (a return's order) if it has one, else its own (a checkout's order id)."""
        return self.parent_key or self.business_key

    @property
    def definition_label(self) -> str:
        """``checkout@1``: the definition and the version the saga runs on."""
        return f"{self.definition}@{self.definition_version}"


class StepStatus(ReadModel):
    name: str
    status: str


class InFlight(ReadModel):
    """One command of a parallel stage on its way."""

    step: str
    message_id: str
    attempt: int
    deadline: datetime


class HistoryEntry(ReadModel):
    """One line of a saga's append-only history."""

    at: datetime
    kind: str
    step: str | None = None
    message_id: str | None = None
    message_type: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    version: int


class SagaView(SagaSummary):
    """One saga with its input, steps, data and history (``orchestrator.get_saga``)."""

    input: dict[str, Any] | None = None
    steps: list[StepStatus] = Field(default_factory=list)
    awaiting_message_id: str | None = Field(None, description="the command it waits on")
    in_flight: list[InFlight] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    failure: dict[str, Any] | None = Field(None, description="why it failed: code, reason")
    error: str | None = Field(None, description="what stopped it for an operator")
    version: int
    cancel_reason: str | None = None
    history: list[HistoryEntry] = Field(default_factory=list)


class StuckSaga(SagaSummary):
    """A saga past a step deadline (``orchestrator.stuck_sagas``)."""

    waiting_on: str | None = Field(None, description="message ids of the commands in flight")
    since: datetime


class SagaStarted(ReadModel):
    """The answer to ``orchestrator.start_saga`` (``place_order`` adds ``order_id``)."""

    saga_id: str
    definition: str
    definition_version: int = Field(1, description="the version it started on")
    business_key: str
    state: str
    duplicate: bool = Field(description="true: this key had started already, same input")
    order_id: str | None = None


class OperatorResult(ReadModel):
    """The answer to retry, cancel, approve and reject."""

    saga_id: str
    state: str
    current_step: str | None = None


# --- definitions -----------------------------------------------------------------------


class DefinitionSummary(ReadModel):
    """One version of a definition the orchestrator runs (``orchestrator.list_definitions``
    answers one per registered version), with how many sagas run it."""

    name: str
    version: int = 1
    starts_new: bool = Field(True, description="new sagas of this name start on this version")
    running: int = Field(0, description="sagas on it, neither finished nor waiting")
    waiting: int = Field(0, description="sagas on it waiting for a person: a review, a retry")
    finished: int = Field(0, description="sagas on it that ended: completed or compensated")
    retirable: bool = Field(
        False, description="not the start version and no saga running or waiting on it"
    )
    key_name: str | None = Field(description="the input field of the key; None: not startable")
    steps: list[str]
    events: list[str]
    description: str = ""
    services: list[str] = Field(
        default_factory=list, description="the participants its steps send commands to"
    )

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


class DefinitionDescription(ReadModel):
    """``orchestrator.describe_definition``: the definition as text and as Mermaid."""

    name: str
    text: str
    mermaid: str


# --- what each service did, and its dead letters ----------------------------------------


class TrailEntry(ReadModel):
    """One thing a participant or reactor did for an order (``<service>.order_trail``)."""

    at: datetime
    what: str
    detail: str = ""


class DeadLetterView(ReadModel):
    """One parked message."""

    id: int
    parked_at: datetime
    task_name: str
    message_id: str | None = None
    reason: str
    body: str
    status: str


class DeadLetters(ReadModel):
    """``<service>.dead_letters``: the newest parked messages and how many are parked."""

    service: str
    parked: int
    dead_letters: list[DeadLetterView]


class ReplayResult(ReadModel):
    """``<service>.replay_dead_letters``."""

    service: str
    replayed: list[int]
    not_replayable: list[int]


class StoreFigures(ReadModel):
    """``<service>.store_figures``: a service's own counts, for saga-metrics."""

    service: str
    dead_letters_parked: int
    handled: int


class TableRetention(ReadModel):
    """One table of a service's store under its retention setting."""

    table: str
    rows: int
    oldest: datetime | None  # the oldest row's time (created, received, parked, updated)
    next_run_deletes: int  # the rows a retention run now would delete
    setting: str  # the setting in force, as "SAGA_RETENTION_OUTBOX_HOURS (24 h)"


class RetentionReport(ReadModel):
    """``<service>.retention``: what a service's store holds and what retention would
    delete (docs/operations.md#retention)."""

    service: str
    tables: list[TableRetention]
    export_dir: str | None = None  # where finished sagas are written before deletion


# Every read model, for docs/task-api.md (written by ``make task-api``, checked by a test).
READ_MODELS: tuple[type[ReadModel], ...] = (
    SagaSummary,
    SagaView,
    StepStatus,
    InFlight,
    HistoryEntry,
    StuckSaga,
    SagaStarted,
    OperatorResult,
    DefinitionSummary,
    DefinitionDescription,
    TrailEntry,
    DeadLetterView,
    DeadLetters,
    ReplayResult,
    StoreFigures,
    TableRetention,
    RetentionReport,
)
