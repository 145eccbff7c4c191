"""Reading the Mermaid text of orchestrator/diagram/ in the diagram tests (its edges, its
declared nodes), and a made-up dispatch saga with a parallel group to draw."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from messaging.contracts import MessageKind, Payload
from orchestrator.definition import Compensation, SagaData, SagaDefinition, Step

EDGE = re.compile(r"^    (\w+) (-->|-\.->)(?:\|\"([^\"]*)\"\|)? (\w+)$")


def edges(text: str) -> list[tuple[str, str, str, str]]:
    """(source, arrow, label, target) of every edge, in order."""
    return [
        (found[1], found[2], found[3] or "", found[4])
        for line in text.splitlines()
        if (found := EDGE.match(line))
    ]


def declared(text: str) -> list[str]:
    return [
        found[1]
        for line in text.splitlines()
        if (found := re.match(r"^\s+(\w+)(?:\(\[|\[|\{\{|\{)\"", line))
    ]


# --- a made-up saga with a parallel group (Step.group is not merged yet: a subclass) ------


@dataclass(frozen=True)
class GroupedStep(Step):
    group: str | None = None


class Pick(Payload):
    message_type = "Pick"
    kind = MessageKind.COMMAND


class Unpick(Payload):
    message_type = "Unpick"
    kind = MessageKind.COMMAND


class Label(Payload):
    message_type = "Label"
    kind = MessageKind.COMMAND


def pick(_data: SagaData) -> Pick:
    return Pick()


def unpick(_data: SagaData) -> Unpick:
    return Unpick()


def label(_data: SagaData) -> Label:
    return Label()


def dispatched(_data: SagaData, _failure: Mapping[str, str]) -> None:
    return None


def grouped_step(
    name: str, service: str, group: str | None = None, undo: bool = True
) -> GroupedStep:
    return GroupedStep(
        name=name,
        service=service,
        command=pick if undo else label,
        success_on={f"{name}_done": dict},
        failure_on=frozenset({f"{name}_failed"}),
        compensation=Compensation(command=unpick, done_on=frozenset({f"{name}_undone"}))
        if undo
        else None,
        group=group,
    )


DISPATCH = SagaDefinition(
    name="dispatch",
    steps=(
        grouped_step("hold", "inventory"),
        grouped_step("pick_a", "warehouse_a", group="pick"),
        grouped_step("pick_b", "warehouse_b", group="pick"),
        grouped_step("ship", "shipping", undo=False),
    ),
)
