"""Pictures and text of a saga definition, generated from the definition itself so that
they cannot drift from what runs.

``mermaid(definition, position=None)`` is a Mermaid flowchart: the admission, each step
(service and command), parallel stages as a fork and a join, failure edges into the
compensation chain (reverse order, dashed), and the two ends with the events they record.
Given a saga's ``Position`` it marks where that saga is (``classDef current``). The web
view shows it on each saga's page; docs/architecture.md embeds one per definition
(``python -m orchestrator.docs_diagrams`` rewrites them). ``describe(definition)`` says the
same in plain text, with the retry policies, for ``sagactl describe``.

Pure: no Celery, no database. Node ids come from step names, so the same definition
always gives the same text.

One module past 300 lines on purpose: the chart and the text are two renderings of one
definition and share their vocabulary (message names, events, policies, durations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.definition import RetryPolicy, SagaDefinition, Step, no_event

# Step statuses (orchestrator.engine.StepStatus values) by what the picture shows.
_ACTIVE = frozenset({"running"})
_PASSED = frozenset({"running", "succeeded", "compensating", "compensated"})
_FAILED = frozenset({"failed", "timed_out"})
CLASSES = {  # the marks of a position, in the order they are declared
    "current": "stroke:#d97706,stroke-width:4px",
    "done": "fill:#dcfce7,stroke:#16a34a",
    "failed": "fill:#fee2e2,stroke:#dc2626",
    "compensated": "fill:#e5e7eb,stroke:#6b7280,stroke-dasharray:4 2",
}


@dataclass(frozen=True)
class Position:
    """Where one saga is: its state and each step's status (as ``get_saga`` returns them)."""

    state: str
    steps: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, saga: Mapping[str, Any]) -> Position:
        """From a ``get_saga`` result (``steps`` a list of name/status) or a mapping."""
        steps = saga.get("steps") or {}
        if not isinstance(steps, Mapping):
            steps = {str(s["name"]): str(s["status"]) for s in steps}
        return cls(str(saga.get("state", "")), dict(steps))


def message_name(builder: Callable[..., Any] | None) -> str | None:
    """The message type a builder returns, read from its return annotation (``None`` for
    a lambda or a builder without one)."""
    returned = getattr(builder, "__annotations__", {}).get("return")
    if isinstance(returned, type):
        return str(getattr(returned, "message_type", returned.__name__))
    if isinstance(returned, str) and returned not in ("None", "Payload | None", "Payload"):
        return returned.split("|")[0].strip().rsplit(".", 1)[-1]
    return None


def _named(function: Callable[..., Any]) -> str | None:
    name = getattr(function, "__name__", "")
    return None if not name or name == "<lambda>" else name


def seconds(value: float) -> str:
    """``24h``, ``5min``, ``10s``, ``0.5s``."""
    if value >= 3600 and value % 3600 == 0:
        return f"{value / 3600:g}h"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g}min"
    return f"{value:g}s"


def _replies(types: Iterable[str]) -> str:
    return ", ".join(sorted(types))


def _event(definition: SagaDefinition, builder: Callable[..., Any]) -> str:
    if builder is no_event:
        return "no event"
    named = message_name(builder)
    if named:
        return named
    known = [str(getattr(event, "message_type", event.__name__)) for event in definition.events]
    return " or ".join(known) or "an event"


# --- Mermaid --------------------------------------------------------------------------------


def _text(label: str) -> str:
    """A quoted Mermaid label; ``<br/>`` breaks lines, other markup is escaped."""
    escaped = label.replace("#", "#35;").replace('"', "#quot;")
    escaped = escaped.replace("<", "#lt;").replace(">", "#gt;").replace("#lt;br/#gt;", "<br/>")
    return f'"{escaped}"'


class _Chart:
    """The lines of one flowchart, built in a fixed order."""

    def __init__(self, definition: SagaDefinition) -> None:
        self.definition = definition
        self.stages = definition.stages
        self.stage_of = {i: n for n, stage in enumerate(self.stages) for i in stage}
        self.ids = _step_ids(definition.steps)
        self.nodes: list[str] = []
        self.edges: list[str] = []
        self.order: list[str] = []  # node ids as declared

    def node(self, node_id: str, shape: str, label: str, indent: str = "    ") -> None:
        opening, closing = shape.split(" ")
        self.nodes.append(f"{indent}{node_id}{opening}{_text(label)}{closing}")
        self.order.append(node_id)

    def edge(self, source: str, target: str, label: str = "", dashed: bool = False) -> None:
        arrow = "-.->" if dashed else "-->"
        text = f"|{_text(label)}|" if label else ""
        self.edges.append(f"    {source} {arrow}{text} {target}")

    # where the flow enters a step (its review first), and the compensation chain

    def entry(self, index: int) -> str:
        step_id = self.ids[index]
        return f"review_{step_id}" if self.definition.steps[index].approval else f"step_{step_id}"

    def undo_units(self) -> list[tuple[int, tuple[int, ...]]]:
        """(stage, compensable steps) from the last stage back to the first."""
        units = []
        for number in reversed(range(len(self.stages))):
            steps = self.definition.steps
            found = tuple(i for i in self.stages[number] if steps[i].compensation is not None)
            if found:
                units.append((number, found))
        return units

    def undo_entry(self, unit: tuple[int, tuple[int, ...]]) -> str:
        number, steps = unit
        return f"undo_fork_{number + 1}" if len(steps) > 1 else f"undo_{self.ids[steps[0]]}"

    def failure_target(self, index: int) -> str:
        """Where a failure of step ``index`` goes: the compensation of the latest step
        that may have committed before it (a sibling in its stage, or an earlier stage)."""
        for unit in self.undo_units():
            number, steps = unit
            if number <= self.stage_of[index] and set(steps) - {index}:
                return self.undo_entry(unit)
        return "saga_compensated"


def _step_ids(steps: Sequence[Step]) -> list[str]:
    ids: list[str] = []
    for index, step in enumerate(steps):
        slug = re.sub(r"[^A-Za-z0-9_]", "_", step.name)
        ids.append(slug if slug not in ids else f"{slug}_{index + 1}")
    return ids


def mermaid(definition: SagaDefinition, position: Position | None = None) -> str:
    """The definition as a Mermaid flowchart, with ``position`` marked if given."""
    chart = _Chart(definition)
    _start(chart)
    _forward(chart)
    _compensations(chart)
    lines = ["flowchart TD", *chart.nodes, *chart.edges]
    if position is not None:
        lines += _marks(chart, position)
    return "\n".join(lines) + "\n"


def _start(chart: _Chart) -> None:
    definition, admission = chart.definition, chart.definition.admission
    first = chart.entry(chart.stages[0][0]) if len(chart.stages[0]) == 1 else "fork_1"
    if admission is None:
        chart.node("start", "([ ])", f"{definition.name}<br/>started by code")
        chart.edge("start", first)
        return
    model = admission.model.__name__
    chart.node("start", "([ ])", f"{definition.name}<br/>start_saga: {model}")
    chart.node("admit", "{ }", f"admit?<br/>key: {admission.key_name}")
    chart.node("refused", "([ ])", "refused: no saga")
    chart.edge("start", "admit")
    chart.edge("admit", "refused", "refused", dashed=True)
    chart.edge("admit", first, "admitted")


def _forward(chart: _Chart) -> None:
    """Each stage in order, then ``completed``; each step's failure into the chain."""
    steps = chart.definition.steps
    incoming: list[tuple[str, str]] = []  # (source, label) of the edges into the next stage
    for number, stage in enumerate(chart.stages, 1):
        parallel = len(stage) > 1
        if parallel:
            chart.node(f"fork_{number}", "{{ }}", "fork")
            group = getattr(steps[stage[0]], "group", None) or ""
            chart.nodes.append(f"    subgraph stage_{number} [{_text('parallel: ' + group)}]")
        for index in stage:
            _step_nodes(chart, index, "        " if parallel else "    ")
        if parallel:
            chart.nodes.append("    end")
            chart.node(f"join_{number}", "{{ }}", "join")
        target = f"fork_{number}" if parallel else chart.entry(stage[0])
        for source, label in incoming:
            chart.edge(source, target, label)
        for index in stage:
            if parallel:
                chart.edge(f"fork_{number}", chart.entry(index))
            _step_edges(chart, index)
        ok = [(f"step_{chart.ids[i]}", _replies(steps[i].success_on)) for i in stage]
        if parallel:
            for source, label in ok:
                chart.edge(source, f"join_{number}", label)
            ok = [(f"join_{number}", "")]
        incoming = ok
    chart.node(
        "saga_completed",
        "([ ])",
        f"completed<br/>{_event(chart.definition, chart.definition.on_completed)}",
    )
    for source, label in incoming:
        chart.edge(source, "saga_completed", label)


def _step_nodes(chart: _Chart, index: int, indent: str) -> None:
    step, step_id = chart.definition.steps[index], chart.ids[index]
    if step.approval is not None:
        needed = _named(step.approval.needed)
        when = f"if {needed}<br/>" if needed else ""
        label = f"review {step.name}?<br/>{when}decision within {seconds(step.approval.timeout)}"
        chart.node(f"review_{step_id}", "{ }", label, indent)
    command = message_name(step.command)
    label = f"{step.name}<br/>{step.service}" + (f": {command}" if command else "")
    chart.node(f"step_{step_id}", "[ ]", label, indent)


def _step_edges(chart: _Chart, index: int) -> None:
    step, step_id = chart.definition.steps[index], chart.ids[index]
    target = chart.failure_target(index)
    if step.approval is not None:
        chart.edge(f"review_{step_id}", f"step_{step_id}", "approved, or not needed")
        chart.edge(f"review_{step_id}", target, "rejected, or no decision", dashed=True)
    if step.unknown_on:
        query = message_name(step.status_query) or "a status query"
        chart.edge(
            f"step_{step_id}",
            f"step_{step_id}",
            f"{_replies(step.unknown_on)}: ask {query}",
            dashed=True,
        )
    failures = _replies(step.failure_on)
    if step.on_exhausted == "compensate":
        no_reply = f"no reply after {step.policy.max_attempts} sends"
        failures = f"{failures}, {no_reply}" if failures else no_reply
    if failures:
        chart.edge(f"step_{step_id}", target, failures, dashed=True)


def _compensations(chart: _Chart) -> None:
    steps, units = chart.definition.steps, chart.undo_units()
    for number, members in units:
        parallel = len(members) > 1
        if parallel:  # the engine undoes them one at a time, the last to succeed first
            chart.node(f"undo_fork_{number + 1}", "{{ }}", "each that succeeded")
            chart.nodes.append(
                f"    subgraph undo_stage_{number + 1} "
                f"[{_text('undone one at a time, last completed first')}]"
            )
        for index in members:
            compensation = steps[index].compensation
            assert compensation is not None
            command = message_name(compensation.command)
            label = f"undo {steps[index].name}<br/>{steps[index].service}"
            chart.node(
                f"undo_{chart.ids[index]}",
                "[ ]",
                label + (f": {command}" if command else ""),
                "        " if parallel else "    ",
            )
        if parallel:
            chart.nodes.append("    end")
            chart.node(f"undo_join_{number + 1}", "{{ }}", "all undone")
    ending = _event(chart.definition, chart.definition.on_compensated)
    chart.node("saga_compensated", "([ ])", f"compensated<br/>{ending}")
    for position, (number, members) in enumerate(units):
        later = units[position + 1 :]
        after = chart.undo_entry(later[0]) if later else "saga_compensated"
        for index in members:
            compensation = steps[index].compensation
            assert compensation is not None
            done = _replies(compensation.done_on)
            if len(members) > 1:
                chart.edge(f"undo_fork_{number + 1}", f"undo_{chart.ids[index]}", dashed=True)
                chart.edge(f"undo_{chart.ids[index]}", f"undo_join_{number + 1}", done, dashed=True)
            else:
                chart.edge(f"undo_{chart.ids[index]}", after, done, dashed=True)
        if len(members) > 1:
            chart.edge(f"undo_join_{number + 1}", after, dashed=True)


def _marks(chart: _Chart, position: Position) -> list[str]:
    """``classDef`` lines, then one ``class`` line per mark used, nodes in declared order."""
    marks: dict[str, str] = {"start": "done"}
    if "admit" in chart.order:
        marks["admit"] = "done"
    for index, step in enumerate(chart.definition.steps):
        status, step_id = position.steps.get(step.name, "pending"), chart.ids[index]
        if step.approval is not None and status == "awaiting_approval":
            marks[f"review_{step_id}"] = "current"
        elif step.approval is not None and status in _PASSED | {"compensation_failed"}:
            marks[f"review_{step_id}"] = "done"
        if status in _ACTIVE:
            marks[f"step_{step_id}"] = "current"
        elif status in _FAILED:
            marks[f"step_{step_id}"] = "failed"
        elif status in ("succeeded", "compensating", "compensation_failed"):
            marks[f"step_{step_id}"] = "done"
        elif status == "compensated":
            marks[f"step_{step_id}"] = "compensated"
        undo = {"compensating": "current", "compensated": "done", "compensation_failed": "failed"}
        if status in undo and step.compensation is not None:
            marks[f"undo_{step_id}"] = undo[status]
    if position.state in ("completed", "compensated"):
        marks[f"saga_{position.state}"] = "current"
    lines = [f"    classDef {name} {style}" for name, style in CLASSES.items()]
    for name in CLASSES:
        marked = [node for node in chart.order if marks.get(node) == name]
        if marked:
            lines.append(f"    class {','.join(marked)} {name}")
    return lines


# --- plain text -----------------------------------------------------------------------------


def policy_text(policy: RetryPolicy) -> str:
    waits = ", ".join(seconds(policy.timeout_for(n)) for n in range(1, policy.max_attempts + 1))
    text = f"timeout {seconds(policy.timeout)}, {policy.max_attempts} attempts"
    text += f", backoff x{policy.backoff:g} (waits {waits})"
    return text


def describe(definition: SagaDefinition) -> str:
    """The definition as a listing: how it starts, each step (stage, service, replies,
    policy, approval, compensation), and the events of its two ends."""
    lines = [f"saga {definition.name}"]
    lines += [f"  {line}".rstrip() for line in definition.description.strip().splitlines()]
    admission = definition.admission
    if admission is None:
        lines += ["start", "  only by code (no admission: no client can start it)"]
    else:
        check = _named(admission.admit) or "a check"
        lines += [
            "start",
            f'  task          orchestrator.start_saga(definition="{definition.name}", input=...)',
            f"  input         {admission.model.__name__}",
            f"  key           {admission.key_name} (the same key twice is the same saga)",
            f"  admission     {check} (may refuse a valid input)",
        ]
    lines.append("steps (a failure undoes the committed steps in reverse order)")
    found = definition.stages
    for number, stage in enumerate(found, 1):
        for index in stage:
            lines += _step_text(definition.steps[index], index, number, stage, definition)
    lines += [
        "ends",
        f"  completed     records {_event(definition, definition.on_completed)}",
        f"  compensated   records {_event(definition, definition.on_compensated)}",
        "  failed        stops for an operator (sagactl retry), records nothing",
    ]
    events = [str(getattr(e, "message_type", e.__name__)) for e in definition.events]
    lines.append(f"  events        {', '.join(events) or 'none declared'}")
    return "\n".join(lines) + "\n"


def _step_text(
    step: Step, index: int, number: int, stage: tuple[int, ...], definition: SagaDefinition
) -> list[str]:
    title = f"  {index + 1}. {step.name}"
    if len(stage) > 1:
        others = ", ".join(definition.steps[i].name for i in stage if i != index)
        title += f" (stage {number}, group {getattr(step, 'group', None)}: with {others})"
    fields = [
        ("service", step.service),
        ("command", message_name(step.command) or f"built by {_named(step.command) or 'a lambda'}"),
        ("success on", _replies(step.success_on) or "-"),
        ("failure on", _replies(step.failure_on) or "-"),
    ]
    if step.unknown_on:
        query = message_name(step.status_query) or "a status query"
        fields.append(("unknown on", f"{_replies(step.unknown_on)}: asks {query}, never resends"))
    if step.approval is not None:
        needed = _named(step.approval.needed) or "a condition"
        fields.append(
            ("approval", f"when {needed}; no decision in {seconds(step.approval.timeout)} rejects")
        )
    fields.append(("policy", policy_text(step.policy)))
    exhausted = {
        "fail": "fail: stop for an operator",
        "compensate": "compensate the steps before",
    }
    fields.append(("out of tries", exhausted.get(step.on_exhausted, step.on_exhausted)))
    compensation = step.compensation
    if compensation is None:
        fields.append(("compensation", "none: never undone"))
    else:
        command = message_name(compensation.command) or "a command"
        fields.append(("compensation", f"{command}, done on {_replies(compensation.done_on)}"))
        policy = compensation.policy
        if compensation.failed_on:
            delays = ", ".join(
                seconds(policy.delay_after(n)) for n in range(1, policy.max_attempts)
            )
            again = (
                f"sent again after {delays}, then the saga fails" if delays else "the saga fails"
            )
            fields.append(("  refused on", f"{_replies(compensation.failed_on)}: {again}"))
        fields.append(("  its policy", policy_text(policy)))
    return [title, *(f"     {label:<13} {value}" for label, value in fields)]
