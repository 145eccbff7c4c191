"""A definition in plain text, with its retry policies (``sagactl describe``)."""

from __future__ import annotations

from orchestrator.definition import RetryPolicy, SagaDefinition, Step

from .words import event_name, message_name, named, replies, seconds


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
        check = named(admission.admit) or "a check"
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
        f"  completed     records {event_name(definition, definition.on_completed)}",
        f"  compensated   records {event_name(definition, definition.on_compensated)}",
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
        ("command", message_name(step.command) or f"built by {named(step.command) or 'a lambda'}"),
        ("success on", replies(step.success_on) or "-"),
        ("failure on", replies(step.failure_on) or "-"),
    ]
    if step.unknown_on:
        query = message_name(step.status_query) or "a status query"
        fields.append(("unknown on", f"{replies(step.unknown_on)}: asks {query}, never resends"))
    if step.approval is not None:
        needed = named(step.approval.needed) or "a condition"
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
        fields.append(("compensation", f"{command}, done on {replies(compensation.done_on)}"))
        policy = compensation.policy
        if compensation.failed_on:
            delays = ", ".join(
                seconds(policy.delay_after(n)) for n in range(1, policy.max_attempts)
            )
            again = (
                f"sent again after {delays}, then the saga fails" if delays else "the saga fails"
            )
            fields.append(("  refused on", f"{replies(compensation.failed_on)}: {again}"))
        fields.append(("  its policy", policy_text(policy)))
    return [title, *(f"     {label:<13} {value}" for label, value in fields)]
