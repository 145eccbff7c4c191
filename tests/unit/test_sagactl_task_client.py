"""How sagactl's task client routes each call to its service's queue, reports a timeout and
a remote error, and finds a saga by saga id or by key; a task that fails exits 1."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import TimeoutError as ResultTimeout

from saga_client.tasks import CommandError, NoAnswer, RemoteError, queue_of
from tests.unit.sagactl_stand_in import SAGA_ID, Sagactl, platform, saga_view, task_client


class SagaNotFound(Exception):  # the name older workers raise
    """Stands for the class Celery rebuilds, by name only, from an unknown remote error."""


def test_each_call_goes_to_the_queue_of_its_service_reads_expire_writes_stay_queued() -> None:
    client, app = task_client(
        {
            "inventory.get_stock": [{"sku": "A"}],
            "inventory.set_stock": [None],
            "shipping.get_shipments": [[]],
            "reactor.crm.get_customer": [{"id": "c-1"}],
            "reactor.email.replay_dead_letters": [{"replayed": []}],
        }
    )
    client.call("inventory.get_stock", {"sku": "A"})
    client.call("inventory.set_stock", {"sku": "A", "quantity": 3}, write=True)
    client.call("shipping.get_shipments", {"order_id": "o"}, timeout=2)
    client.call("reactor.crm.get_customer", {"customer_id": "c-1"})
    client.call("reactor.email.replay_dead_letters", {"ids": None}, write=True)

    # the queue is the task name minus its last part; a read expires when the caller stops
    # waiting, a write stays queued until a worker takes it
    assert [(name, options["queue"], options["expires"]) for name, _, options in app.sent] == [
        ("inventory.get_stock", "inventory", 15.0),
        ("inventory.set_stock", "inventory", None),
        ("shipping.get_shipments", "shipping", 2),
        ("reactor.crm.get_customer", "reactor.crm", 15.0),
        ("reactor.email.replay_dead_letters", "reactor.email", None),
    ]
    assert queue_of("orchestrator.get_saga") == "orchestrator"


@pytest.mark.parametrize(
    ("task", "timeout", "message"),
    [
        ("payment.get_payments", 15.0, "within 15s: the payment worker may not be running."),
        ("reactor.crm.get_customer", 3.0, "within 3s: the reactor.crm worker may not be running."),
    ],
)
def test_a_timeout_says_which_worker_may_not_be_running(
    task: str, timeout: float, message: str
) -> None:
    client, _ = task_client({task: [ResultTimeout("The operation timed out.")]}, timeout)
    with pytest.raises(NoAnswer) as error:
        client.call(task, {})
    assert str(error.value) == f"no answer from {task} {message}"


def test_a_remote_error_carries_its_message() -> None:
    message = "invalid order: items.0.quantity: Input should be greater than 0"
    client, _ = task_client({"orchestrator.place_order": [ValueError(message)]})
    with pytest.raises(RemoteError) as error:
        client.call("orchestrator.place_order", {"order_id": "o"}, write=True)
    assert str(error.value) == f"orchestrator.place_order failed: {message}"


def _fetched(*answers: Any, definition: str | None = None, saga_id: str = SAGA_ID) -> Any:
    """What find_saga found for ``saga_id`` (as JSON), and what it asked get_saga each time."""
    found, app = platform({"orchestrator.get_saga": list(answers)})
    saga = found.find_saga(saga_id, definition=definition)
    return saga.model_dump(mode="json"), [kwargs for _, kwargs, _ in app.sent]


def test_an_id_shaped_like_a_uuid_is_tried_as_saga_id_then_as_key() -> None:
    found = saga_view(saga_id="s", business_key=SAGA_ID)
    assert _fetched(SagaNotFound(f"no saga with saga_id {SAGA_ID}"), found) == (
        found,
        [{"saga_id": SAGA_ID}, {"key": SAGA_ID}],
    )


def test_a_key_is_looked_up_in_one_definition_when_given() -> None:
    found = saga_view(saga_id="s", definition="returns", business_key="ret-1")
    assert _fetched(found, definition="returns", saga_id="ret-1") == (
        found,
        [{"definition": "returns", "key": "ret-1"}],
    )


def test_a_saga_id_of_another_definition_than_asked_falls_back_to_the_key() -> None:
    other = saga_view()
    wanted = saga_view(saga_id="s", definition="returns", business_key=SAGA_ID)
    assert _fetched(other, wanted, definition="returns") == (
        wanted,
        [{"saga_id": SAGA_ID}, {"definition": "returns", "key": SAGA_ID}],
    )


@pytest.mark.parametrize(
    ("key", "definition", "message"),
    [
        ("ord-1", None, "no saga with saga id or key ord-1"),
        ("ret-404", "returns", "no returns saga with saga id or key ret-404"),
    ],
)
def test_a_key_no_saga_has_is_a_command_error(
    key: str, definition: str | None, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _fetched(LookupError(f"no saga with key {key}"), definition=definition, saga_id=key)


def test_other_remote_errors_of_get_saga_are_not_taken_for_not_found() -> None:
    with pytest.raises(RemoteError, match="get_saga failed: give saga_id or order_id"):
        _fetched(ValueError("give saga_id or order_id"))


@pytest.mark.parametrize(
    ("argv", "task", "error"),
    [
        (["stock", "set", "SKU-1", "4"], "inventory.set_stock",
         ValueError("quantity must be a non-negative integer, got 'x'")),
        (["start", "refunds", "--input", "{}"], "orchestrator.start_saga",
         ValueError("unknown saga definition 'refunds' (known: checkout, returns)")),
        (["describe", "nope"], "orchestrator.describe_definition",
         LookupError("unknown saga definition 'nope' (known: checkout)")),
        (["reactors", "unsubscribe", "fax"], "events.unsubscribe",
         LookupError("no reactor named 'fax' has subscribed")),
        (["reactors", "backfill", "fax"], "events.backfill",
         LookupError("no reactor named 'fax' has subscribed")),
    ],
)  # fmt: skip
def test_a_task_that_fails_exits_1_with_one_line_naming_it(
    argv: list[str],
    task: str,
    error: Exception,
    sagactl: Sagactl,
) -> None:
    code, _ = sagactl.run(argv, **{task: [error]})

    assert code == 1
    assert sagactl.printed() == ("", f"sagactl: {task} failed: {error}\n")
