"""A definition as a Mermaid flowchart: the admission, each step (service and command),
parallel stages as a fork and a join, failure edges into the compensation chain (reverse
order, dashed), the two ends with their events, and a saga's ``Position`` marked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.definition import SagaDefinition, Step

from .words import event_name, message_name, named, replies, seconds

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
        ok = [(f"step_{chart.ids[i]}", replies(steps[i].success_on)) for i in stage]
        if parallel:
            for source, label in ok:
                chart.edge(source, f"join_{number}", label)
            ok = [(f"join_{number}", "")]
        incoming = ok
    chart.node(
        "saga_completed",
        "([ ])",
        f"completed<br/>{event_name(chart.definition, chart.definition.on_completed)}",
    )
    for source, label in incoming:
        chart.edge(source, "saga_completed", label)


def _step_nodes(chart: _Chart, index: int, indent: str) -> None:
    step, step_id = chart.definition.steps[index], chart.ids[index]
    if step.approval is not None:
        needed = named(step.approval.needed)
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
            f"{replies(step.unknown_on)}: ask {query}",
            dashed=True,
        )
    failures = replies(step.failure_on)
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
    ending = event_name(chart.definition, chart.definition.on_compensated)
    chart.node("saga_compensated", "([ ])", f"compensated<br/>{ending}")
    for position, (number, members) in enumerate(units):
        later = units[position + 1 :]
        after = chart.undo_entry(later[0]) if later else "saga_compensated"
        for index in members:
            compensation = steps[index].compensation
            assert compensation is not None
            done = replies(compensation.done_on)
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
