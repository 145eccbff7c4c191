"""Message contracts: the catalog holds exactly the expected types, each named for its kind
(commands imperative, replies and events past tense), and the checkout uses only them."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import pytest

from messaging.contracts import MessageKind, Payload, catalog, fraud, inventory, payment, shipping
from sagas.checkout.version_1 import CHECKOUT_V1 as CHECKOUT

EXPECTED_COMMANDS = {
    "ReserveInventory",
    "ReleaseInventory",
    "ChargePayment",
    "RefundPayment",
    "CheckPaymentStatus",
    "CreateShipment",
    "RestockInventory",
    "CreateReturnLabel",
    "VoidReturnLabel",
    "ScreenOrder",
}
EXPECTED_REPLIES = {
    "InventoryReserved",
    "InventoryPartiallyReserved",
    "InventoryReservationFailed",
    "OrderScreened",
    "FraudSuspected",
    "InventoryReleased",
    "PaymentCharged",
    "PaymentDeclined",
    "PaymentRefunded",
    "PaymentRefundFailed",
    "PaymentOutcomeUnknown",
    "ShipmentCreated",
    "ShipmentFailed",
    "InventoryRestocked",
    "ReturnLabelCreated",
    "ReturnLabelRefused",
    "ReturnLabelVoided",
}
EXPECTED_EVENTS = {"OrderConfirmed", "OrderCancelled", "ReturnCompleted", "ReturnRejected"}


def names_of(kind: MessageKind) -> set[str]:
    return {name for name, cls in MESSAGE_TYPES.items() if cls.kind is kind}


# --- the catalog --------------------------------------------------------------------------


MESSAGE_TYPES = catalog().types
ALL_PAYLOADS = tuple(MESSAGE_TYPES.values())


def test_every_catalog_type_has_a_unique_name_a_kind_and_a_version():
    for name, cls in MESSAGE_TYPES.items():
        assert issubclass(cls, Payload)
        assert cls.message_type == name
        assert cls.kind in set(MessageKind), name
        assert type(cls.schema_version) is int, name
        assert cls.schema_version >= 1, name


def test_the_catalog_holds_exactly_the_expected_names():
    assert set(MESSAGE_TYPES) == EXPECTED_COMMANDS | EXPECTED_REPLIES | EXPECTED_EVENTS


@pytest.mark.parametrize("module", [fraud, inventory, payment, shipping], ids=lambda m: m.__name__)
def test_a_contracts_module_lists_every_message_type_it_defines(module):
    defined = {
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Payload) and cls is not Payload and cls.__module__ == module.__name__
    }

    assert len(module.MESSAGES) == len(set(module.MESSAGES))
    assert set(module.MESSAGES) == defined
    assert defined <= set(ALL_PAYLOADS)


def test_commands_have_imperative_names():
    assert names_of(MessageKind.COMMAND) == EXPECTED_COMMANDS


def test_replies_have_past_tense_names():
    assert names_of(MessageKind.REPLY) == EXPECTED_REPLIES


def test_events_have_past_tense_names():
    assert names_of(MessageKind.EVENT) == EXPECTED_EVENTS


def test_a_sagas_events_import_first_and_decode():
    """A fresh process that imports a saga's events before anything else (a reactor, a
    client): the catalog that names them must not make that an import cycle."""
    script = (
        "from sagas.returns.events import MESSAGES\n"
        "from messaging.contracts import catalog\n"
        "assert all(catalog().types[cls.message_type] is cls for cls in MESSAGES)\n"
    )
    run = [sys.executable, "-c", script]
    done = subprocess.run(run, check=False, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()


@pytest.fixture
def saga_data(order: dict[str, Any]) -> dict[str, Any]:
    return {"order": order, "reservation_id": "res-1", "payment_id": "pay-1"}


@pytest.mark.parametrize("step", CHECKOUT.steps, ids=lambda s: s.name)
def test_checkout_step_uses_catalog_commands_and_replies(step, saga_data):
    command = step.command(saga_data)
    assert MESSAGE_TYPES[command.message_type] is type(command)
    assert command.kind is MessageKind.COMMAND

    replies = set(step.success_on) | step.failure_on
    assert replies, step.name
    if step.compensation is not None:
        undo = step.compensation.command(saga_data)
        assert MESSAGE_TYPES[undo.message_type] is type(undo)
        assert undo.kind is MessageKind.COMMAND
        replies |= step.compensation.done_on | step.compensation.failed_on
    for name in replies:
        assert name in MESSAGE_TYPES, name
        assert MESSAGE_TYPES[name].kind is MessageKind.REPLY, name


def test_checkout_events_are_catalog_events(saga_data):
    data = {**saga_data, "shipment_id": "shp-1", "tracking_number": "FP1"}
    failure = {"step": "charge_payment", "code": "card_declined", "reason": "declined"}
    for event in (CHECKOUT.on_completed(data, {}), CHECKOUT.on_compensated(data, failure)):
        assert event is not None
        assert MESSAGE_TYPES[event.message_type] is type(event)
        assert event.kind is MessageKind.EVENT
